"""Hugging Face SmolLM and SmolLM2: small Llama-architecture models (`llama`) trained on open data.

SmolLM (v1) instruct models use plain ChatML (`chatml`); SmolLM2 adds a default system prompt (`smollm2`). Context
lengths from config.json: 2,048 (SmolLM), 8,192 (SmolLM2). SmolLM3 (architecture `smollm3`) is not registered yet:
its chat template (metadata system block, think / no_think modes) has no verified template plugin.
"""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant
LORA_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
CAPABILITIES = Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True)
TINY_CONFIG = {"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
               "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 512,
               "tie_word_embeddings": True}

SMOLLM = ModelFamily(
    name="smollm",
    architecture="llama",
    template="chatml",
    variants=(
        # name, hub id, params (billions), context length, kind, template (None: the family default), licence
        V("smollm-135m", "HuggingFaceTB/SmolLM-135M", 0.135, 2048, "base"),
        V("smollm-360m", "HuggingFaceTB/SmolLM-360M", 0.36, 2048, "base"),
        V("smollm-1.7b", "HuggingFaceTB/SmolLM-1.7B", 1.7, 2048, "base"),
        V("smollm-135m-instruct", "HuggingFaceTB/SmolLM-135M-Instruct", 0.135, 2048, "instruct"),
        V("smollm-360m-instruct", "HuggingFaceTB/SmolLM-360M-Instruct", 0.36, 2048, "instruct"),
        V("smollm-1.7b-instruct", "HuggingFaceTB/SmolLM-1.7B-Instruct", 1.7, 2048, "instruct"),
    ),
    lora_targets=LORA_TARGETS,
    capabilities=CAPABILITIES,
    tiny_config=TINY_CONFIG,
    license="apache-2.0",
    description="SmolLM 135M / 360M / 1.7B trained on SmolLM-Corpus, base and instruct.",
)

SMOLLM2 = ModelFamily(
    name="smollm2",
    architecture="llama",
    template="smollm2",
    variants=(
        V("smollm2-135m", "HuggingFaceTB/SmolLM2-135M", 0.135, 8192, "base"),
        V("smollm2-360m", "HuggingFaceTB/SmolLM2-360M", 0.36, 8192, "base"),
        V("smollm2-1.7b", "HuggingFaceTB/SmolLM2-1.7B", 1.7, 8192, "base"),
        V("smollm2-135m-instruct", "HuggingFaceTB/SmolLM2-135M-Instruct", 0.135, 8192, "instruct"),
        V("smollm2-360m-instruct", "HuggingFaceTB/SmolLM2-360M-Instruct", 0.36, 8192, "instruct"),
        V("smollm2-1.7b-instruct", "HuggingFaceTB/SmolLM2-1.7B-Instruct", 1.7, 8192, "instruct"),
    ),
    lora_targets=LORA_TARGETS,
    capabilities=CAPABILITIES,
    tiny_config=TINY_CONFIG,
    license="apache-2.0",
    description="SmolLM2 135M / 360M / 1.7B (11T tokens for 1.7B), base and instruct.",
)


@hookimpl
def register_models(register):
    register(SMOLLM)
    register(SMOLLM2)
