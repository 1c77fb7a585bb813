"""AllenAI OLMo (first generation, the transformers-native `-hf` checkpoints) and OLMo 1.7: one architecture
(`olmo`), one family per release sharing LoRA targets, capabilities and tiny configuration.

LLaMA-Factory gives this group no template, so it trains with `empty` unless a run names one; the Instruct
checkpoint's own chat format (LLaMA-Factory's `olmo`) has no tuneforge template yet.
"""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant
LORA_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
CAPABILITIES = Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True)
TINY_CONFIG = {"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
               "num_attention_heads": 4, "num_key_value_heads": 4, "max_position_embeddings": 512,
               "bos_token_id": 1, "eos_token_id": 2, "pad_token_id": 0}
# Context lengths are the checkpoints' max_position_embeddings; parameter counts are computed from config.json.

OLMO = ModelFamily(
    name="olmo",
    architecture="olmo",
    template="empty",
    variants=(
        # name, hub id, params (billions), context length, kind, template (None: the family default), licence
        V("olmo-1b", "allenai/OLMo-1B-hf", 1.18, 2048, "base", None, "apache-2.0"),
        V("olmo-7b", "allenai/OLMo-7B-hf", 6.89, 2048, "base", None, "apache-2.0"),
        # A community conversion of allenai/OLMo-7B-Instruct for transformers >= 4.40 (LLaMA-Factory's OLMo-7B-Chat).
        V("olmo-7b-instruct", "ssec-uw/OLMo-7B-Instruct-hf", 6.89, 2048, "instruct", None, "apache-2.0"),
    ),
    lora_targets=LORA_TARGETS,
    capabilities=CAPABILITIES,
    tiny_config=TINY_CONFIG,
    license="apache-2.0",
    description="AllenAI OLMo 1B / 7B base models and the OLMo-7B-Instruct conversion (2K context).",
)

OLMO_1_7 = ModelFamily(
    name="olmo-1.7",
    architecture="olmo",
    template="empty",
    variants=(
        V("olmo-1.7-7b", "allenai/OLMo-1.7-7B-hf", 6.89, 4096, "base", None, "apache-2.0"),
    ),
    lora_targets=LORA_TARGETS,
    capabilities=CAPABILITIES,
    tiny_config=TINY_CONFIG,
    license="apache-2.0",
    description="AllenAI OLMo 1.7 7B base model (Dolma 1.7, 4K context).",
)


@hookimpl
def register_models(register):
    for family in (OLMO, OLMO_1_7):
        register(family)
