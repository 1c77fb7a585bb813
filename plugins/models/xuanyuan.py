"""Du Xiaoman XuanYuan financial models on the Llama architecture (`llama`), with the `xuanyuan` chat format; one
family per generation, sharing LoRA targets, capabilities and tiny configuration. XuanYuan: XuanYuan-6B
(pre-trained from scratch, 2,048 context) and XuanYuan-70B (Llama-2-70B continued pre-training with an extended
vocabulary, context extended to 8K); XuanYuan2: XuanYuan2-70B. Each with chat models and 8-bit / 4-bit quantized
chat checkpoints (listed with the parameter count of the model they quantize).

XuanYuan2-70B's context length is not stated on the cards found here; 8192 (XuanYuan-70B's) is assumed.
"""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant
LORA_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
CAPABILITIES = Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True)
TINY_CONFIG = {"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
               "num_attention_heads": 4, "num_key_value_heads": 4, "max_position_embeddings": 512}

XUANYUAN = ModelFamily(
    name="xuanyuan",
    architecture="llama",
    template="xuanyuan",
    variants=(
        # name, hub id, params (billions), context length, kind, template (None: the family default), licence
        V("xuanyuan-6b", "Duxiaoman-DI/XuanYuan-6B", 6.0, 2048, "base"),
        V("xuanyuan-70b", "Duxiaoman-DI/XuanYuan-70B", 70.0, 8192, "base"),
        V("xuanyuan-6b-chat", "Duxiaoman-DI/XuanYuan-6B-Chat", 6.0, 2048, "chat"),
        V("xuanyuan-70b-chat", "Duxiaoman-DI/XuanYuan-70B-Chat", 70.0, 8192, "chat"),
        V("xuanyuan-6b-chat-8bit", "Duxiaoman-DI/XuanYuan-6B-Chat-8bit", 6.0, 2048, "chat"),
        V("xuanyuan-6b-chat-4bit", "Duxiaoman-DI/XuanYuan-6B-Chat-4bit", 6.0, 2048, "chat"),
        V("xuanyuan-70b-chat-8bit", "Duxiaoman-DI/XuanYuan-70B-Chat-8bit", 70.0, 8192, "chat"),
        V("xuanyuan-70b-chat-4bit", "Duxiaoman-DI/XuanYuan-70B-Chat-4bit", 70.0, 8192, "chat"),
    ),
    lora_targets=LORA_TARGETS,
    capabilities=CAPABILITIES,
    tiny_config=TINY_CONFIG,
    license="llama2",
    description="XuanYuan financial LLMs (Du Xiaoman): 6B and 70B base, chat and quantized chat models.",
)

XUANYUAN2 = ModelFamily(
    name="xuanyuan2",
    architecture="llama",
    template="xuanyuan",
    variants=(
        V("xuanyuan2-70b", "Duxiaoman-DI/XuanYuan2-70B", 70.0, 8192, "base"),
        V("xuanyuan2-70b-chat", "Duxiaoman-DI/XuanYuan2-70B-Chat", 70.0, 8192, "chat"),
        V("xuanyuan2-70b-chat-8bit", "Duxiaoman-DI/XuanYuan2-70B-Chat-8bit", 70.0, 8192, "chat"),
        V("xuanyuan2-70b-chat-4bit", "Duxiaoman-DI/XuanYuan2-70B-Chat-4bit", 70.0, 8192, "chat"),
    ),
    lora_targets=LORA_TARGETS,
    capabilities=CAPABILITIES,
    tiny_config=TINY_CONFIG,
    license="llama2",
    description="XuanYuan2-70B financial LLM (Du Xiaoman): base, chat and quantized chat models.",
)


@hookimpl
def register_models(register):
    for family in (XUANYUAN, XUANYUAN2):
        register(family)
