"""Mistral AI Devstral Small 1.1 (2507): an agentic coding model finetuned from Mistral Small 3.1 with the vision
encoder removed, so a text-only `mistral` checkpoint; template `mistral-small`."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant

DEVSTRAL = ModelFamily(
    name="devstral",
    architecture="mistral",
    template="mistral-small",
    variants=(
        # name, hub id, params (billions), context length, kind, template (None: the family default), licence
        V("devstral-small-2507", "mistralai/Devstral-Small-2507", 23.57, 131072, "instruct", None, "apache-2.0"),
    ),
    lora_targets=("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
    capabilities=Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True),
    tiny_config={"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16, "max_position_embeddings": 512},
    license="Apache-2.0",
    description="Devstral Small 1.1: 24B agentic software-engineering model with a 128k context window.",
)


@hookimpl
def register_models(register):
    register(DEVSTRAL)
