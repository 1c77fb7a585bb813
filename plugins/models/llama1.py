"""The original LLaMA (2023) 7B-65B, as converted to transformers by the huggyllama repositories: model_type `llama`,
base models with no chat format."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant

LLAMA1 = ModelFamily(
    name="llama1",
    architecture="llama",
    template="empty",
    variants=(
        # name, hub id, params (billions, from config.json shapes), context length, kind, template, licence
        V("llama1-7b", "huggyllama/llama-7b", 6.74, 2048, "base", None, "llama-license"),
        V("llama1-13b", "huggyllama/llama-13b", 13.0, 2048, "base", None, "llama-license"),
        V("llama1-30b", "huggyllama/llama-30b", 32.5, 2048, "base", None, "llama-license"),
        V("llama1-65b", "huggyllama/llama-65b", 65.3, 2048, "base", None, "llama-license"),
    ),
    lora_targets=("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
    capabilities=Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True),
    tiny_config={"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 4, "max_position_embeddings": 512},
    license="LLaMA license (non-commercial research)",
    description="LLaMA 7B / 13B / 30B / 65B base models (huggyllama conversions).",
)


@hookimpl
def register_models(register):
    register(LLAMA1)
