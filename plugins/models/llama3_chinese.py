"""shenzhi-wang's Llama3-Chinese-Chat and Llama3.1-Chinese-Chat: Llama 3 and 3.1 instruct models fine-tuned for
Chinese and English chat (model_type `llama`, the `llama3` chat format as LLaMA-Factory registers them), one family
per base generation sharing LoRA targets, capabilities and tiny configuration."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant
LORA_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
CAPABILITIES = Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True)
TINY_CONFIG = {"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
               "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 512}

LLAMA3_CHINESE = ModelFamily(
    name="llama3-chinese",
    architecture="llama",
    template="llama3",
    variants=(
        # name, hub id, params (billions; the Llama 3 / 3.1 base sizes), context length, kind, template, licence
        V("llama3-chinese-8b-chat", "shenzhi-wang/Llama3-8B-Chinese-Chat", 8.03, 8192, "chat", None, "llama3"),
        V("llama3-chinese-70b-chat", "shenzhi-wang/Llama3-70B-Chinese-Chat", 70.6, 8192, "chat", None, "llama3"),
    ),
    lora_targets=LORA_TARGETS,
    capabilities=CAPABILITIES,
    tiny_config=TINY_CONFIG,
    license="llama3",
    description="Llama3-8B/70B-Chinese-Chat bilingual chat fine-tunes of Llama 3 Instruct (8K context).",
)

LLAMA3_1_CHINESE = ModelFamily(
    name="llama3.1-chinese",
    architecture="llama",
    template="llama3",
    variants=(
        V("llama3.1-chinese-8b-chat", "shenzhi-wang/Llama3.1-8B-Chinese-Chat", 8.03, 131072, "chat", None, "llama3.1"),
        V("llama3.1-chinese-70b-chat", "shenzhi-wang/Llama3.1-70B-Chinese-Chat", 70.6, 131072, "chat", None,
          "llama3.1"),
    ),
    lora_targets=LORA_TARGETS,
    capabilities=CAPABILITIES,
    tiny_config=TINY_CONFIG,
    license="llama3.1",
    description="Llama3.1-8B/70B-Chinese-Chat bilingual chat fine-tunes of Llama 3.1 Instruct (128K context).",
)


@hookimpl
def register_models(register):
    for family in (LLAMA3_CHINESE, LLAMA3_1_CHINESE):
        register(family)
