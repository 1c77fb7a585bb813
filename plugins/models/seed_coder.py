"""ByteDance Seed-Coder 8B: base (code completion and fill-in-the-middle), instruct and reasoning models on the Llama
architecture (`llama`), with the `seed-coder` chat format.

Context lengths are the cards' figures: 32,768 for Base and Instruct, 64K for the reasoning model (the Seed-Coder
README's model table). The cards give the size as "8B" only.
"""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant

SEED_CODER = ModelFamily(
    name="seed-coder",
    architecture="llama",
    template="seed-coder",
    variants=(
        # name, hub id, params (billions), context length, kind, template (None: the family default), licence
        V("seed-coder-8b", "ByteDance-Seed/Seed-Coder-8B-Base", 8.0, 32768, "base"),
        V("seed-coder-8b-instruct", "ByteDance-Seed/Seed-Coder-8B-Instruct", 8.0, 32768, "instruct"),
        V("seed-coder-8b-reasoning", "ByteDance-Seed/Seed-Coder-8B-Reasoning-bf16", 8.0, 65536, "reasoning"),
    ),
    lora_targets=("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
    capabilities=Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True),
    tiny_config={"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 512},
    license="mit",
    description="ByteDance Seed-Coder 8B code models: base (with FIM), instruct and reasoning (RL-trained).",
)


@hookimpl
def register_models(register):
    register(SEED_CODER)
