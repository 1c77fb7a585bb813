"""Google Gemma 1 (`gemma`), Gemma 2 (`gemma2`) and Gemma 3: the text-only 270M / 1B checkpoints (`gemma3_text`)
and the 4B / 12B / 27B image-text checkpoints (`gemma3`, trained here on text through
`Gemma3ForConditionalGeneration`, the class transformers maps to a causal LM); MedGemma, built on Gemma 3, is its
own family on each of the two Gemma 3 architectures, sharing their LoRA targets, capabilities and tiny
configurations."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant
LORA_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
TEXT_CAPABILITIES = Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True)
# Gemma's default head_dim is 256; the tiny models need hidden_size / heads.
TINY_TEXT = {"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
             "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16, "max_position_embeddings": 512}
TINY_SLIDING = {**TINY_TEXT, "sliding_window": 64}
# Gemma3ForConditionalGeneration does not declare flash-attention support (the text-only class does).
GEMMA3_CAPABILITIES = Capabilities(sdpa=True, flash_attention=False, gradient_checkpointing=True, quantization=True,
                                   vision=True)
GEMMA3_TINY = {"text_config": dict(TINY_SLIDING),
               "vision_config": {"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 1,
                                 "num_attention_heads": 2, "image_size": 32, "patch_size": 8},
               "mm_tokens_per_image": 4,
               # Composite configs keep vocab_size in text_config; the conformance kit reads it at the top.
               "vocab_size": 512}
MEDGEMMA_LICENSE = "health-ai-developer-foundations"

GEMMA = ModelFamily(
    name="gemma",
    architecture="gemma",
    template="gemma",
    variants=(
        # name, hub id, params (billions, from config.json shapes), context length, kind, template, licence
        V("gemma-2b", "google/gemma-2b", 2.51, 8192, "base", None, "gemma"),
        V("gemma-7b", "google/gemma-7b", 8.54, 8192, "base", None, "gemma"),
        V("gemma-2b-instruct", "google/gemma-2b-it", 2.51, 8192, "instruct", None, "gemma"),
        V("gemma-7b-instruct", "google/gemma-7b-it", 8.54, 8192, "instruct", None, "gemma"),
        V("gemma1.1-2b-instruct", "google/gemma-1.1-2b-it", 2.51, 8192, "instruct", None, "gemma"),
        V("gemma1.1-7b-instruct", "google/gemma-1.1-7b-it", 8.54, 8192, "instruct", None, "gemma"),
    ),
    lora_targets=LORA_TARGETS,
    capabilities=TEXT_CAPABILITIES,
    tiny_config=TINY_TEXT,
    license="Gemma Terms of Use",
    description="Gemma 2B / 7B (1.0 and 1.1) base and instruction-tuned models.",
)

GEMMA2 = ModelFamily(
    name="gemma2",
    architecture="gemma2",
    template="gemma2",
    variants=(
        V("gemma2-2b", "google/gemma-2-2b", 2.61, 8192, "base", None, "gemma"),
        V("gemma2-9b", "google/gemma-2-9b", 9.24, 8192, "base", None, "gemma"),
        V("gemma2-27b", "google/gemma-2-27b", 27.2, 8192, "base", None, "gemma"),
        V("gemma2-2b-instruct", "google/gemma-2-2b-it", 2.61, 8192, "instruct", None, "gemma"),
        V("gemma2-9b-instruct", "google/gemma-2-9b-it", 9.24, 8192, "instruct", None, "gemma"),
        V("gemma2-27b-instruct", "google/gemma-2-27b-it", 27.2, 8192, "instruct", None, "gemma"),
    ),
    lora_targets=LORA_TARGETS,
    # No SDPA: transformers runs Gemma 2's logit soft-capping in eager (or flash) attention only.
    capabilities=Capabilities(sdpa=False, flash_attention=True, gradient_checkpointing=True, quantization=True),
    tiny_config=TINY_SLIDING,
    license="Gemma Terms of Use",
    description="Gemma 2 2B / 9B / 27B base and instruction-tuned models (sliding-window + global attention).",
)

GEMMA3_TEXT = ModelFamily(
    name="gemma3-text",
    architecture="gemma3_text",
    template="gemma3",
    variants=(
        # Sizes as the Gemma 3 card names them; context: 32K for 270M / 1B, 128K for the larger sizes.
        V("gemma3-270m", "google/gemma-3-270m", 0.27, 32768, "base", None, "gemma"),
        V("gemma3-1b", "google/gemma-3-1b-pt", 1.0, 32768, "base", None, "gemma"),
        V("gemma3-270m-instruct", "google/gemma-3-270m-it", 0.27, 32768, "instruct", None, "gemma"),
        V("gemma3-1b-instruct", "google/gemma-3-1b-it", 1.0, 32768, "instruct", None, "gemma"),
    ),
    lora_targets=LORA_TARGETS,
    capabilities=TEXT_CAPABILITIES,
    tiny_config=TINY_SLIDING,
    license="Gemma Terms of Use",
    description="Text-only Gemma 3 270M and 1B, base and instruct; LLaMA-Factory lists them under `gemma2`, the "
                "official chat template is Gemma 3's.",
)

MEDGEMMA_TEXT = ModelFamily(
    name="medgemma-text",
    architecture="gemma3_text",
    template="gemma3",
    variants=(
        V("medgemma-27b-text-instruct", "google/medgemma-27b-text-it", 27.0, 131072, "instruct", None,
          "health-ai-developer-foundations"),
    ),
    lora_targets=LORA_TARGETS,
    capabilities=TEXT_CAPABILITIES,
    tiny_config=TINY_SLIDING,
    license=MEDGEMMA_LICENSE,
    description="MedGemma 27B text-only instruct (Gemma 3 for medical text), with Gemma 3's chat template.",
)

GEMMA3 = ModelFamily(
    name="gemma3",
    architecture="gemma3",
    template="gemma3",
    variants=(
        V("gemma3-4b", "google/gemma-3-4b-pt", 4.0, 131072, "base", None, "gemma"),
        V("gemma3-12b", "google/gemma-3-12b-pt", 12.0, 131072, "base", None, "gemma"),
        V("gemma3-27b", "google/gemma-3-27b-pt", 27.0, 131072, "base", None, "gemma"),
        V("gemma3-4b-instruct", "google/gemma-3-4b-it", 4.0, 131072, "instruct", None, "gemma"),
        V("gemma3-12b-instruct", "google/gemma-3-12b-it", 12.0, 131072, "instruct", None, "gemma"),
        V("gemma3-27b-instruct", "google/gemma-3-27b-it", 27.0, 131072, "instruct", None, "gemma"),
    ),
    # The SigLIP tower shares the q/k/v names, so LoRA also lands on its attention (o_proj / MLP names differ).
    lora_targets=LORA_TARGETS,
    capabilities=GEMMA3_CAPABILITIES,
    tiny_config=GEMMA3_TINY,
    license="Gemma Terms of Use",
    description="Gemma 3 4B / 12B / 27B image-text base and instruct models, registered for text training.",
)

MEDGEMMA = ModelFamily(
    name="medgemma",
    architecture="gemma3",
    template="gemma3",
    variants=(
        V("medgemma-4b", "google/medgemma-4b-pt", 4.0, 131072, "base", None, "health-ai-developer-foundations"),
        V("medgemma-4b-instruct", "google/medgemma-4b-it", 4.0, 131072, "instruct", None,
          "health-ai-developer-foundations"),
    ),
    lora_targets=LORA_TARGETS,
    capabilities=GEMMA3_CAPABILITIES,
    tiny_config=GEMMA3_TINY,
    license=MEDGEMMA_LICENSE,
    description="MedGemma 4B image-text base and instruct (Gemma 3 for medical text and images), registered for "
                "text training.",
)


@hookimpl
def register_models(register):
    for family in (GEMMA, GEMMA2, GEMMA3_TEXT, MEDGEMMA_TEXT, GEMMA3, MEDGEMMA):
        register(family)
