"""Hugging Face SmolLM, SmolLM2 and SmolLM3: small models trained on open data.

SmolLM and SmolLM2 are Llama-architecture models (`llama`); SmolLM3 has its own architecture (`smollm3`, RoPE left
out of every fourth layer). SmolLM (v1) instruct models use plain ChatML (`chatml`); SmolLM2 adds a default system
prompt (`smollm2`); SmolLM3's template adds a metadata system block and think / no_think modes (`smollm3`).
Context lengths from config.json: 2,048 (SmolLM), 8,192 (SmolLM2); SmolLM3 is trained on 64K and extends to 128K
with YaRN.
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

SMOLLM3 = ModelFamily(
    name="smollm3",
    architecture="smollm3",
    template="smollm3",
    variants=(
        V("smollm3-3b-base", "HuggingFaceTB/SmolLM3-3B-Base", 3.08, 65536, "base"),
        V("smollm3-3b", "HuggingFaceTB/SmolLM3-3B", 3.08, 65536, "reasoning"),
    ),
    lora_targets=LORA_TARGETS,
    capabilities=CAPABILITIES,
    # The default special token ids (128000 ...) would fall outside the tiny vocabulary.
    tiny_config=dict(TINY_CONFIG, pad_token_id=0, bos_token_id=1, eos_token_id=2),
    license="apache-2.0",
    description="SmolLM3 3B: multilingual, long context (64K, 128K with YaRN), hybrid think / no_think instruct model.",
)


@hookimpl
def register_models(register):
    register(SMOLLM)
    register(SMOLLM2)
    register(SMOLLM3)
