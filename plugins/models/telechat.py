"""China Telecom TeleChat, TeleChat2 and TeleChat2.5: remote-code models, one family per generation sharing LoRA
targets, capabilities and tiny configuration; every generation's config.json says model_type `telechat` (TeleChat2
ships `configuration_telechat2.py` with the same model_type). TeleChat uses the `telechat` chat format, TeleChat2
and 2.5 `telechat2`. Only chat models are published (LLaMA-Factory's groups).

Context: telechat-7B's config.json has seq_length 8192; the other sizes' context lengths could not be checked here
and are given the same 8192 (not verified). Parameter counts are the model names'.
"""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant
# TeleChat's attention fuses key and value (`key_value`) beside `query`; `dense` is the attention output.
LORA_TARGETS = ("query", "key_value", "dense", "gate_proj", "up_proj", "down_proj")
CAPABILITIES = Capabilities(sdpa=False, flash_attention=True, gradient_checkpointing=True, quantization=True,
                            trust_remote_code=True)
# Keys of the remote TelechatConfig (BLOOM-style names).
TINY_CONFIG = {"vocab_size": 512, "hidden_size": 64, "ffn_hidden_size": 128, "n_layer": 2, "n_head": 4,
               "seq_length": 512}
LICENSE = "TeleChat Model Community License"

TELECHAT = ModelFamily(
    name="telechat",
    architecture="telechat",
    template="telechat",
    variants=(
        # name, hub id, params (billions), context length, kind, template (None: the family default), licence
        V("telechat-1b-chat", "Tele-AI/TeleChat-1B", 1.0, 8192, "chat"),
        V("telechat-7b-chat", "Tele-AI/telechat-7B", 7.0, 8192, "chat"),
        V("telechat-12b-chat", "Tele-AI/TeleChat-12B-v2", 12.0, 8192, "chat"),
        V("telechat-52b-chat", "Tele-AI/TeleChat-52B", 52.0, 8192, "chat"),
    ),
    lora_targets=LORA_TARGETS,
    capabilities=CAPABILITIES,
    tiny_config=TINY_CONFIG,
    license=LICENSE,
    description="TeleChat (Star semantic model) 1B / 7B / 12B / 52B chat models; remote code.",
)

TELECHAT2 = ModelFamily(
    name="telechat2",
    architecture="telechat",
    template="telechat2",
    variants=(
        V("telechat2-3b-chat", "Tele-AI/TeleChat2-3B", 3.0, 8192, "chat"),
        V("telechat2-7b-chat", "Tele-AI/TeleChat2-7B", 7.0, 8192, "chat"),
        V("telechat2-115b-chat", "Tele-AI/TeleChat2-115B", 115.0, 8192, "chat"),
    ),
    lora_targets=LORA_TARGETS,
    capabilities=CAPABILITIES,
    tiny_config=TINY_CONFIG,
    license=LICENSE,
    description="TeleChat2 3B / 7B / 115B chat models (10T tokens, function calling); remote code.",
)

TELECHAT2_5 = ModelFamily(
    name="telechat2.5",
    architecture="telechat",
    template="telechat2",
    variants=(
        V("telechat2.5-35b-chat", "Tele-AI/TeleChat2.5-35B", 35.0, 8192, "chat"),
    ),
    lora_targets=LORA_TARGETS,
    capabilities=CAPABILITIES,
    tiny_config=TINY_CONFIG,
    license=LICENSE,
    description="TeleChat2.5 35B chat model; remote code.",
)


@hookimpl
def register_models(register):
    for family in (TELECHAT, TELECHAT2, TELECHAT2_5):
        register(family)
