"""Stability AI StableLM (model_type `stablelm`): StableLM-3B-4E1T and Stable LM 2 1.6B / 12B base models, 4,096
context (partial rotary embeddings, LayerNorm), one family per generation sharing LoRA targets, capabilities and tiny
configuration. Base models only here (`empty` template): the chat and zephyr variants end turns with
`<|endoftext|>`, which no registered template reproduces yet.

Stable LM 2 1.6B's card gives 1,644,417,024 parameters and sequence length 4096; the 12B and 3B figures are the model
names' and their 4,096 contexts are not verified here.
"""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant
LORA_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
CAPABILITIES = Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True)
TINY_CONFIG = {"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
               "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 512,
               "bos_token_id": 0, "eos_token_id": 0}

STABLELM = ModelFamily(
    name="stablelm",
    architecture="stablelm",
    template="empty",
    variants=(
        # name, hub id, params (billions), context length, kind, template (None: the family default), licence
        V("stablelm-3b-4e1t", "stabilityai/stablelm-3b-4e1t", 2.8, 4096, "base", None, "cc-by-sa-4.0"),
    ),
    lora_targets=LORA_TARGETS,
    capabilities=CAPABILITIES,
    tiny_config=TINY_CONFIG,
    license="cc-by-sa-4.0",
    description="StableLM-3B-4E1T base model (4 epochs of 1T tokens).",
)

STABLELM2 = ModelFamily(
    name="stablelm-2",
    architecture="stablelm",
    template="empty",
    variants=(
        V("stablelm-2-1.6b", "stabilityai/stablelm-2-1_6b", 1.64, 4096, "base", None, "stabilityai-community"),
        V("stablelm-2-12b", "stabilityai/stablelm-2-12b", 12.0, 4096, "base", None, "stabilityai-community"),
    ),
    lora_targets=LORA_TARGETS,
    capabilities=CAPABILITIES,
    tiny_config=TINY_CONFIG,
    license="Stability AI Community License",
    description="Stable LM 2 1.6B / 12B multilingual base models.",
)


@hookimpl
def register_models(register):
    for family in (STABLELM, STABLELM2):
        register(family)
