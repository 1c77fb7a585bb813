"""Wenge Research YaYi on Llama 2 (architecture `llama`): 7B and 13B chat models with the `yayi` chat format.

The YaYi-Llama2 cards could not be read here: the 4,096 context is Llama 2's and the parameter counts are the model
names' (neither checked against config.json), and the licence is not stated.
"""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant

YAYI = ModelFamily(
    name="yayi",
    architecture="llama",
    template="yayi",
    variants=(
        # name, hub id, params (billions), context length, kind, template (None: the family default), licence
        V("yayi-7b-llama2-chat", "wenge-research/yayi-7b-llama2", 7.0, 4096, "chat"),
        V("yayi-13b-llama2-chat", "wenge-research/yayi-13b-llama2", 13.0, 4096, "chat"),
    ),
    lora_targets=("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
    capabilities=Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True),
    tiny_config={"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 4, "max_position_embeddings": 512},
    license="unknown",
    description="YaYi (雅意) Llama-2-based Chinese/English chat models, 7B and 13B.",
)


@hookimpl
def register_models(register):
    register(YAYI)
