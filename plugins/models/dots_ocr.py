"""rednote-hilab dots.ocr: a document-parsing vision-language model (Qwen2-style 1.7B language model plus a 1.2B
vision encoder) of model_type `dots_ocr`, with its own modelling code (`trust_remote_code`)."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant

DOTS_OCR = ModelFamily(
    name="dots-ocr",
    architecture="dots_ocr",
    template="dots-ocr",
    variants=(
        # name, hub id, params (billions, vision encoder included), context length, kind, template, licence
        V("dots.ocr", "rednote-hilab/dots.ocr", 3.0, 131072, "instruct", None, "mit"),
    ),
    # The language model's projections; the vision tower's layers have other names and stay frozen.
    lora_targets=("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
    capabilities=Capabilities(sdpa=False, flash_attention=False, gradient_checkpointing=True, quantization=True,
                              vision=True, trust_remote_code=True),
    # Keys of the remote DotsOCRConfig: a Qwen2 config plus `vision_config`.
    tiny_config={"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 512,
                 "vision_config": {"embed_dim": 64, "hidden_size": 64, "intermediate_size": 128,
                                   "num_hidden_layers": 2, "num_attention_heads": 4, "patch_size": 14,
                                   "spatial_merge_size": 2}},
    license="MIT",
    description="dots.ocr: layout detection and text, table and formula extraction from document images.",
)


@hookimpl
def register_models(register):
    register(DOTS_OCR)
