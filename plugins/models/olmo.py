"""AllenAI OLMo (first generation, the transformers-native `-hf` checkpoints): one architecture (`olmo`).

LLaMA-Factory gives this group no template, so it trains with `empty` unless a run names one; the Instruct
checkpoint's own chat format (LLaMA-Factory's `olmo`) has no tuneforge template yet.
"""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant
# Context lengths are the checkpoints' max_position_embeddings; parameter counts are computed from config.json.
VARIANTS = (
    # name, hub id, params (billions), context length, kind, template (None: the family default), licence
    V("olmo-1b", "allenai/OLMo-1B-hf", 1.18, 2048, "base", None, "apache-2.0"),
    V("olmo-7b", "allenai/OLMo-7B-hf", 6.89, 2048, "base", None, "apache-2.0"),
    # A community conversion of allenai/OLMo-7B-Instruct for transformers >= 4.40 (LLaMA-Factory's OLMo-7B-Chat).
    V("olmo-7b-instruct", "ssec-uw/OLMo-7B-Instruct-hf", 6.89, 2048, "instruct", None, "apache-2.0"),
    V("olmo-1.7-7b", "allenai/OLMo-1.7-7B-hf", 6.89, 4096, "base", None, "apache-2.0"),
)

OLMO = ModelFamily(
    name="olmo",
    architecture="olmo",
    template="empty",
    variants=VARIANTS,
    lora_targets=("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
    capabilities=Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True),
    tiny_config={"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 4, "max_position_embeddings": 512,
                 "bos_token_id": 1, "eos_token_id": 2, "pad_token_id": 0},
    license="apache-2.0",
    description="AllenAI OLMo 1B / 7B and OLMo 1.7 7B base models, and the OLMo-7B-Instruct conversion.",
)


@hookimpl
def register_models(register):
    register(OLMO)
