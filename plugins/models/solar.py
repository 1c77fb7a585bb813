"""Upstage SOLAR 10.7B: a depth-up-scaled Llama architecture (`llama`, 48 layers), base and instruct, with the
`solar` chat format. The instruct model is licensed non-commercially (its fine-tuning data is)."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant

SOLAR = ModelFamily(
    name="solar",
    architecture="llama",
    template="solar",
    variants=(
        # name, hub id, params (billions), context length, kind, template (None: the family default), licence
        V("solar-10.7b", "upstage/SOLAR-10.7B-v1.0", 10.7, 4096, "base", None, "apache-2.0"),
        V("solar-10.7b-instruct", "upstage/SOLAR-10.7B-Instruct-v1.0", 10.7, 4096, "instruct", None, "cc-by-nc-4.0"),
    ),
    lora_targets=("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
    capabilities=Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True),
    tiny_config={"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 512},
    license="apache-2.0 (base) / cc-by-nc-4.0 (instruct)",
    description="Upstage SOLAR 10.7B v1.0, base and single-turn instruct.",
)


@hookimpl
def register_models(register):
    register(SOLAR)
