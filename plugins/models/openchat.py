"""OpenChat: C-RLFT chat fine-tunes of Mistral 7B (OpenChat 3.5) and Llama 3 8B (OpenChat 3.6). Two architectures,
so two families, each with its own chat format ("GPT4 Correct User" turns)."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant
OPENCHAT_VARIANTS = (
    # name, hub id, params (billions), context length, kind, template (None: the family default), licence
    V("openchat-3.5-0106", "openchat/openchat-3.5-0106", 7.24, 8192, "chat", None, "apache-2.0"),
)
OPENCHAT_3_6_VARIANTS = (
    V("openchat-3.6-8b", "openchat/openchat-3.6-8b-20240522", 8.03, 8192, "chat", None, "llama3"),
)

OPENCHAT = ModelFamily(
    name="openchat",
    architecture="mistral",
    template="openchat",
    variants=OPENCHAT_VARIANTS,
    lora_targets=("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
    capabilities=Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True),
    tiny_config={"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 512,
                 "sliding_window": 256, "bos_token_id": 1, "eos_token_id": 2},
    license="apache-2.0",
    description="OpenChat 3.5 (0106), a Mistral-7B chat model.",
)

OPENCHAT_3_6 = ModelFamily(
    name="openchat-3.6",
    architecture="llama",
    template="openchat-3.6",
    variants=OPENCHAT_3_6_VARIANTS,
    lora_targets=("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
    capabilities=Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True),
    tiny_config={"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 512,
                 "bos_token_id": 1, "eos_token_id": 2},
    license="llama3",
    description="OpenChat 3.6 (2024-05-22), a Llama-3-8B chat model.",
)


@hookimpl
def register_models(register):
    register(OPENCHAT)
    register(OPENCHAT_3_6)
