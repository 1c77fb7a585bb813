"""MediaTek Research Breeze-7B v1.0: Mistral-7B (`mistral`) continued on Traditional Chinese with a vocabulary
extended to 62k tokens."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant

BREEZE = ModelFamily(
    name="breeze",
    architecture="mistral",
    template="breeze",
    variants=(
        # name, hub id, params (billions), context length (the card's 8k), kind, template, licence
        V("breeze-7b", "MediaTek-Research/Breeze-7B-Base-v1_0", 7.49, 8192, "base", None, "apache-2.0"),
        V("breeze-7b-instruct", "MediaTek-Research/Breeze-7B-Instruct-v1_0", 7.49, 8192, "instruct", None,
          "apache-2.0"),
    ),
    lora_targets=("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
    capabilities=Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True),
    tiny_config={"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 512},
    license="Apache-2.0",
    description="Breeze-7B base and instruct, for Traditional Chinese (and English).",
)


@hookimpl
def register_models(register):
    register(BREEZE)
