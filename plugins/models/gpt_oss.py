"""OpenAI gpt-oss (model_type `gpt_oss`): mixture-of-experts reasoning models in the harmony chat format, with
sliding-window and full attention layers alternating."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant

GPT_OSS = ModelFamily(
    name="gpt-oss",
    architecture="gpt_oss",
    template="gpt-oss",
    variants=(
        # name, hub id, params (billions; 3.6B / 5.1B active), context length, kind, template, licence
        V("gpt-oss-20b", "openai/gpt-oss-20b", 20.9, 131072, "reasoning", None, "apache-2.0"),
        V("gpt-oss-120b", "openai/gpt-oss-120b", 116.8, 131072, "reasoning", None, "apache-2.0"),
    ),
    # Experts are fused parameters (MXFP4 in the checkpoint): LoRA reaches the attention projections.
    lora_targets=("q_proj", "k_proj", "v_proj", "o_proj"),
    capabilities=Capabilities(sdpa=False, flash_attention=True, gradient_checkpointing=True, quantization=True,
                              moe=True),
    tiny_config={"vocab_size": 512, "hidden_size": 64, "intermediate_size": 64, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16, "num_local_experts": 4,
                 "num_experts_per_tok": 2, "sliding_window": 32, "max_position_embeddings": 512,
                 "pad_token_id": 0, "eos_token_id": 1},
    license="Apache-2.0",
    description="gpt-oss-20b and gpt-oss-120b open-weight reasoning models (128K context).",
)


@hookimpl
def register_models(register):
    register(GPT_OSS)
