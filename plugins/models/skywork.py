"""Skywork: Skywork-13B (its own remote-code architecture `skywork`, a deep and thin 52-layer Llama variant) and
Skywork-o1-Open (a reasoning fine-tune of Llama 3.1 8B, architecture `llama`, `skywork-o1` chat format).

Skywork-13B-base is a base model with no chat format (`empty`, as LLaMA-Factory uses when no template is given); its
context length (4,096) is not stated on the card and is not verified here.
"""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant
LORA_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")

SKYWORK = ModelFamily(
    name="skywork",
    architecture="skywork",
    template="empty",
    variants=(
        # name, hub id, params (billions), context length, kind, template (None: the family default), licence
        V("skywork-13b", "Skywork/Skywork-13B-base", 13.0, 4096, "base"),
    ),
    # The remote SkyworkForCausalLM keeps Llama's module names.
    lora_targets=LORA_TARGETS,
    capabilities=Capabilities(sdpa=False, flash_attention=False, gradient_checkpointing=True, quantization=True,
                              trust_remote_code=True),
    # Keys of the remote SkyworkConfig (a LlamaConfig copy).
    tiny_config={"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "max_position_embeddings": 512},
    license="Skywork Community License",
    description="Skywork-13B base: bilingual (zh/en) 13B trained on 3.2T tokens; remote code.",
)

SKYWORK_O1 = ModelFamily(
    name="skywork-o1",
    architecture="llama",
    template="skywork-o1",
    variants=(
        V("skywork-o1-open-llama3.1-8b", "Skywork/Skywork-o1-Open-Llama-3.1-8B", 8.03, 131072, "reasoning"),
    ),
    lora_targets=LORA_TARGETS,
    capabilities=Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True),
    tiny_config={"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 512},
    license="Skywork Community License (and Llama 3.1 Community License)",
    description="Skywork-o1-Open: o1-style slow-thinking fine-tune of Llama 3.1 8B.",
)


@hookimpl
def register_models(register):
    register(SKYWORK)
    register(SKYWORK_O1)
