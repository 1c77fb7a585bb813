"""Moonshot AI Moonlight-16B-A3B: a DeepSeek-V3-architecture mixture of experts (model_type `deepseek_v3`, native
in transformers) whose tiktoken tokenizer still needs `trust_remote_code`."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant

MOONLIGHT = ModelFamily(
    name="moonlight",
    architecture="deepseek_v3",
    template="moonlight",
    variants=(
        # name, hub id, params (billions; 3B active), context length, kind, template, licence
        V("moonlight-16b-a3b", "moonshotai/Moonlight-16B-A3B", 16.0, 8192, "base", None, "mit"),
        V("moonlight-16b-a3b-instruct", "moonshotai/Moonlight-16B-A3B-Instruct", 16.0, 8192, "instruct", None,
          "mit"),
    ),
    # Multi-head latent attention (no query LoRA rank, so a plain q_proj), dense first layer and shared experts;
    # routed experts are fused parameters.
    lora_targets=("q_proj", "kv_a_proj_with_mqa", "kv_b_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
    capabilities=Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True,
                              moe=True, trust_remote_code=True),
    tiny_config={"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 4, "max_position_embeddings": 512,
                 "moe_intermediate_size": 32, "n_routed_experts": 4, "num_experts_per_tok": 2, "n_shared_experts": 1,
                 "first_k_dense_replace": 1, "n_group": 1, "topk_group": 1, "q_lora_rank": None,
                 "kv_lora_rank": 16, "qk_nope_head_dim": 8, "qk_rope_head_dim": 8, "v_head_dim": 16},
    license="MIT",
    description="Moonlight-16B-A3B (Muon-trained) base and instruct models, 8K context.",
)


@hookimpl
def register_models(register):
    register(MOONLIGHT)
