"""Mistral AI Codestral-22B v0.1: a `mistral`-architecture code model (32k context) with the `mistral` chat
template."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant

CODESTRAL = ModelFamily(
    name="codestral",
    architecture="mistral",
    template="mistral",
    variants=(
        # name, hub id, params (billions), context length, kind, template (None: the family default), licence
        V("codestral-22b-v0.1-chat", "mistralai/Codestral-22B-v0.1", 22.25, 32768, "chat", None, "mnpl-0.1"),
    ),
    lora_targets=("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
    capabilities=Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True),
    tiny_config={"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 512},
    license="Mistral AI Non-Production License (MNPL-0.1)",
    description="Codestral 22B: code generation and fill-in-the-middle over 80+ programming languages.",
)


@hookimpl
def register_models(register):
    register(CODESTRAL)
