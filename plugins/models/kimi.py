"""Moonshot AI Kimi-Dev-72B: an open coding model fine-tuned from Qwen2.5-72B (model_type `qwen2`), trained with the
Qwen2.5 chat format (LLaMA-Factory's `qwen`)."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant

KIMI_DEV = ModelFamily(
    name="kimi-dev",
    architecture="qwen2",
    template="qwen2.5",
    variants=(
        # name, hub id, params (billions; the Qwen2.5-72B shapes), context length, kind, template, licence
        V("kimi-dev-72b-instruct", "moonshotai/Kimi-Dev-72B", 72.7, 131072, "instruct", None, "mit"),
    ),
    lora_targets=("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
    capabilities=Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True),
    tiny_config={"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 512},
    license="MIT",
    description="Kimi-Dev-72B software-engineering model (SWE-bench oriented).",
)


@hookimpl
def register_models(register):
    register(KIMI_DEV)
