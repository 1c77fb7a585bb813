"""Zhipu AI GLM-Z1-0414: deep-reasoning models on the GLM-4-0414 architecture (model_type `glm4`), with their own
chat format (LLaMA-Factory's `glmz1`)."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant

GLM_Z1 = ModelFamily(
    name="glm-z1",
    architecture="glm4",
    template="glmz1",
    variants=(
        V("glm-z1-0414-9b", "zai-org/GLM-Z1-9B-0414", 9.0, 32768, "reasoning", None, "mit"),
        V("glm-z1-0414-32b", "zai-org/GLM-Z1-32B-0414", 32.0, 32768, "reasoning", None, "mit"),
    ),
    lora_targets=("q_proj", "k_proj", "v_proj", "o_proj", "gate_up_proj", "down_proj"),
    capabilities=Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True),
    tiny_config={"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16, "max_position_embeddings": 512,
                 "pad_token_id": 0, "eos_token_id": 1},
    license="MIT",
    description="GLM-Z1-0414 9B and 32B deep-reasoning models (GLM-4-0414 architecture).",
)


@hookimpl
def register_models(register):
    register(GLM_Z1)
