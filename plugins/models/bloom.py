"""BigScience BLOOM and its multitask-finetuned BLOOMZ: one architecture (`bloom`, ALiBi positions, fused
`query_key_value`). Neither ships a chat format, so both use the plain `default` template."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant
# transformers' BloomForCausalLM supports neither sdpa nor flash-attention (ALiBi with its own attention code).
CAPABILITIES = Capabilities(sdpa=False, flash_attention=False, gradient_checkpointing=True, quantization=True)
LORA_TARGETS = ("query_key_value", "dense", "dense_h_to_4h", "dense_4h_to_h")
TINY_CONFIG = {"vocab_size": 512, "hidden_size": 64, "n_layer": 2, "n_head": 4}
LICENSE = "bigscience-bloom-rail-1.0"

BLOOM = ModelFamily(
    name="bloom",
    architecture="bloom",
    template="default",
    variants=(
        # name, hub id, params (billions), context length (training sequence length), kind, template, licence
        V("bloom-560m", "bigscience/bloom-560m", 0.56, 2048, "base", None, LICENSE),
        V("bloom-3b", "bigscience/bloom-3b", 3.0, 2048, "base", None, LICENSE),
        V("bloom-7b1", "bigscience/bloom-7b1", 7.07, 2048, "base", None, LICENSE),
    ),
    lora_targets=LORA_TARGETS,
    capabilities=CAPABILITIES,
    tiny_config=TINY_CONFIG,
    license="BigScience BLOOM RAIL 1.0",
    description="BLOOM multilingual (46 languages) base models.",
)

BLOOMZ = ModelFamily(
    name="bloomz",
    architecture="bloom",
    template="default",
    variants=(
        V("bloomz-560m", "bigscience/bloomz-560m", 0.56, 2048, "instruct", None, LICENSE),
        V("bloomz-3b", "bigscience/bloomz-3b", 3.0, 2048, "instruct", None, LICENSE),
        V("bloomz-7b1-mt", "bigscience/bloomz-7b1-mt", 7.07, 2048, "instruct", None, LICENSE),
    ),
    lora_targets=LORA_TARGETS,
    capabilities=CAPABILITIES,
    tiny_config=TINY_CONFIG,
    license="BigScience BLOOM RAIL 1.0",
    description="BLOOMZ: BLOOM finetuned on the xP3 multitask prompts (zero-shot instruction following).",
)


@hookimpl
def register_models(register):
    register(BLOOM)
    register(BLOOMZ)
