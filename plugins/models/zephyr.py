"""HuggingFaceH4 Zephyr: DPO fine-tunes of Mistral-7B (`mistral`, alpha and beta) and the ORPO fine-tune of
Mixtral-8x22B (`mixtral`, 141B total / 35B active), all with the `zephyr` chat format."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant

ZEPHYR = ModelFamily(
    name="zephyr",
    architecture="mistral",
    template="zephyr",
    variants=(
        # name, hub id, params (billions), context length, kind, template (None: the family default), licence
        V("zephyr-7b-alpha-chat", "HuggingFaceH4/zephyr-7b-alpha", 7.24, 32768, "chat"),
        V("zephyr-7b-beta-chat", "HuggingFaceH4/zephyr-7b-beta", 7.24, 32768, "chat"),
    ),
    lora_targets=("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
    capabilities=Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True),
    tiny_config={"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 512},
    license="mit",
    description="Zephyr 7B alpha / beta: Mistral-7B chat models trained with distilled DPO.",
)

ZEPHYR_ORPO = ModelFamily(
    name="zephyr-orpo",
    architecture="mixtral",
    template="zephyr",
    variants=(
        V("zephyr-orpo-141b-a35b-chat", "HuggingFaceH4/zephyr-orpo-141b-A35b-v0.1", 140.62, 65536, "chat"),
    ),
    # transformers stores Mixtral's experts as fused parameters, not Linear layers, and the router must stay frozen:
    # LoRA goes on the attention projections.
    lora_targets=("q_proj", "k_proj", "v_proj", "o_proj"),
    capabilities=Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True,
                              moe=True),
    tiny_config={"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "num_local_experts": 4,
                 "num_experts_per_tok": 2, "max_position_embeddings": 512},
    license="apache-2.0",
    description="Zephyr ORPO 141B-A35B: Mixtral-8x22B aligned with ORPO on distilabel Capybara preferences.",
)


@hookimpl
def register_models(register):
    register(ZEPHYR)
    register(ZEPHYR_ORPO)
