"""BigCode StarCoder2 3B / 7B / 15B (model_type `starcoder2`): code base models with GQA, a 16,384-token context
and 4,096-token sliding-window attention, trained with fill-in-the-middle. No chat format: `empty`, as LLaMA-Factory
uses for the group (it names no template)."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant

STARCODER2 = ModelFamily(
    name="starcoder2",
    architecture="starcoder2",
    template="empty",
    variants=(
        # name, hub id, params (billions), context length, kind, template (None: the family default), licence
        V("starcoder2-3b", "bigcode/starcoder2-3b", 3.0, 16384, "base"),
        V("starcoder2-7b", "bigcode/starcoder2-7b", 7.0, 16384, "base"),
        V("starcoder2-15b", "bigcode/starcoder2-15b", 15.0, 16384, "base"),
    ),
    # Attention projections plus the two-layer GELU MLP (c_fc up, c_proj down).
    lora_targets=("q_proj", "k_proj", "v_proj", "o_proj", "c_fc", "c_proj"),
    capabilities=Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True),
    tiny_config={"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 512,
                 "sliding_window": 256, "bos_token_id": 0, "eos_token_id": 0},
    license="bigcode-openrail-m",
    description="StarCoder2 code models trained on The Stack v2 (600+ programming languages for 15B).",
)


@hookimpl
def register_models(register):
    register(STARCODER2)
