"""Mistral AI text models, one family per release: Mistral 7B v0.1 / v0.2 / v0.3, Mistral NeMo, Ministral 8B and
Mistral Small 3 on the `mistral` architecture (sharing LoRA targets, capabilities and tiny configuration), and the
`mixtral` mixture-of-experts models; each keeps its own chat format."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant
DENSE_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
DENSE = Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True)
TINY = {"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
        "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16, "max_position_embeddings": 512}

MISTRAL_V0_1 = ModelFamily(
    name="mistral-v0.1",
    architecture="mistral",
    # v0.1 and v0.2 keep their own official template (`mistral-v0.2`); `mistral` is v0.3's.
    template="mistral-v0.2",
    variants=(
        # name, hub id, params (billions, from config.json shapes), context length, kind, template, licence
        V("mistral-7b-v0.1", "mistralai/Mistral-7B-v0.1", 7.24, 32768, "base", None, "apache-2.0"),
        V("mistral-7b-instruct-v0.1", "mistralai/Mistral-7B-Instruct-v0.1", 7.24, 32768, "instruct", None,
          "apache-2.0"),
    ),
    lora_targets=DENSE_TARGETS,
    capabilities=DENSE,
    tiny_config=TINY,
    license="Apache-2.0",
    description="Mistral 7B v0.1 base and instruct.",
)

MISTRAL_V0_2 = ModelFamily(
    name="mistral-v0.2",
    architecture="mistral",
    template="mistral-v0.2",
    variants=(
        V("mistral-7b-v0.2", "alpindale/Mistral-7B-v0.2-hf", 7.24, 32768, "base", None, "apache-2.0"),
        V("mistral-7b-instruct-v0.2", "mistralai/Mistral-7B-Instruct-v0.2", 7.24, 32768, "instruct", None,
          "apache-2.0"),
    ),
    lora_targets=DENSE_TARGETS,
    capabilities=DENSE,
    tiny_config=TINY,
    license="Apache-2.0",
    description="Mistral 7B v0.2 base (community conversion of the raw weights) and instruct.",
)

MISTRAL_V0_3 = ModelFamily(
    name="mistral-v0.3",
    architecture="mistral",
    template="mistral",
    variants=(
        V("mistral-7b-v0.3", "mistralai/Mistral-7B-v0.3", 7.25, 32768, "base", None, "apache-2.0"),
        V("mistral-7b-instruct-v0.3", "mistralai/Mistral-7B-Instruct-v0.3", 7.25, 32768, "instruct", None,
          "apache-2.0"),
    ),
    lora_targets=DENSE_TARGETS,
    capabilities=DENSE,
    tiny_config=TINY,
    license="Apache-2.0",
    description="Mistral 7B v0.3 base and instruct (extended vocabulary, function calling).",
)

MISTRAL_NEMO = ModelFamily(
    name="mistral-nemo",
    architecture="mistral",
    template="ministral",
    variants=(
        # 1024000 positions in config.json.
        V("mistral-nemo-12b-2407", "mistralai/Mistral-Nemo-Base-2407", 12.2, 1024000, "base", None, "apache-2.0"),
        V("mistral-nemo-12b-instruct-2407", "mistralai/Mistral-Nemo-Instruct-2407", 12.2, 1024000, "instruct", None,
          "apache-2.0"),
    ),
    lora_targets=DENSE_TARGETS,
    capabilities=DENSE,
    tiny_config=TINY,
    license="Apache-2.0",
    description="Mistral NeMo 12B (2407) base and instruct, the first tekken-tokenizer models.",
)

MINISTRAL = ModelFamily(
    name="ministral",
    architecture="mistral",
    template="ministral",
    variants=(
        # config max_position_embeddings 32768 (its card advertises 128K).
        V("ministral-8b-instruct-2410", "mistralai/Ministral-8B-Instruct-2410", 8.02, 32768, "instruct", None, "mrl"),
    ),
    lora_targets=DENSE_TARGETS,
    capabilities=DENSE,
    tiny_config=TINY,
    license="Mistral Research License",
    description="Ministral 8B instruct (2410), tekken tokenizer.",
)

MISTRAL_SMALL = ModelFamily(
    name="mistral-small",
    architecture="mistral",
    template="mistral-small",
    variants=(
        V("mistral-small-24b-2501", "mistralai/Mistral-Small-24B-Base-2501", 23.6, 32768, "base", None, "apache-2.0"),
        V("mistral-small-24b-instruct-2501", "mistralai/Mistral-Small-24B-Instruct-2501", 23.6, 32768, "instruct",
          None, "apache-2.0"),
    ),
    lora_targets=DENSE_TARGETS,
    capabilities=DENSE,
    tiny_config=TINY,
    license="Apache-2.0",
    description="Mistral Small 3 (24B, 2501) base and instruct models.",
)

MIXTRAL = ModelFamily(
    name="mixtral",
    architecture="mixtral",
    template="mistral",
    variants=(
        V("mixtral-8x7b-v0.1", "mistralai/Mixtral-8x7B-v0.1", 46.7, 32768, "base", None, "apache-2.0"),
        V("mixtral-8x22b-v0.1", "mistralai/Mixtral-8x22B-v0.1", 140.6, 65536, "base", None, "apache-2.0"),
        V("mixtral-8x7b-instruct-v0.1", "mistralai/Mixtral-8x7B-Instruct-v0.1", 46.7, 32768, "instruct", None,
          "apache-2.0"),
        V("mixtral-8x22b-instruct-v0.1", "mistralai/Mixtral-8x22B-Instruct-v0.1", 140.6, 65536, "instruct", None,
          "apache-2.0"),
    ),
    # The experts are fused parameters, not Linear layers: LoRA reaches the attention projections.
    lora_targets=("q_proj", "k_proj", "v_proj", "o_proj"),
    capabilities=Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True,
                              moe=True),
    tiny_config={**TINY, "num_local_experts": 4, "num_experts_per_tok": 2},
    license="Apache-2.0",
    description="Mixtral 8x7B and 8x22B sparse mixture-of-experts base and instruct models.",
)


@hookimpl
def register_models(register):
    for family in (MISTRAL_V0_1, MISTRAL_V0_2, MISTRAL_V0_3, MISTRAL_NEMO, MINISTRAL, MISTRAL_SMALL, MIXTRAL):
        register(family)
