"""The TinyLlama project's 1.1B Llama (`llama`, 22 layers, 2,048 context) pre-trained on 3T tokens, and its chat
model (Zephyr recipe, `zephyr` chat format). Not to be confused with `tiny-llama`, the locally built test model."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant

TINYLLAMA = ModelFamily(
    name="tinyllama",
    architecture="llama",
    template="zephyr",
    variants=(
        # name, hub id, params (billions), context length, kind, template (None: the family default), licence
        V("tinyllama-1.1b", "TinyLlama/TinyLlama-1.1B-intermediate-step-1431k-3T", 1.1, 2048, "base"),
        V("tinyllama-1.1b-chat", "TinyLlama/TinyLlama-1.1B-Chat-v1.0", 1.1, 2048, "chat"),
    ),
    lora_targets=("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
    capabilities=Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True),
    tiny_config={"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 512},
    license="apache-2.0",
    description="TinyLlama 1.1B (3T tokens) base and v1.0 chat.",
)


@hookimpl
def register_models(register):
    register(TINYLLAMA)
