"""Meta Llama 2, 3, 3.1, 3.2 and 3.3: one family per generation, all on one architecture (`llama`) with the same
LoRA targets, capabilities and tiny configuration; each generation keeps its own official chat template."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant
LORA_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
CAPABILITIES = Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True)
TINY_CONFIG = {"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
               "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 512}

LLAMA2 = ModelFamily(
    name="llama2",
    architecture="llama",
    template="llama2",
    variants=(
        # name, hub id, params (billions), context length, kind, template (None: the family default), licence
        V("llama2-7b", "meta-llama/Llama-2-7b-hf", 6.74, 4096, "base", None, "llama2"),
        V("llama2-7b-chat", "meta-llama/Llama-2-7b-chat-hf", 6.74, 4096, "chat", None, "llama2"),
        V("llama2-13b", "meta-llama/Llama-2-13b-hf", 13.0, 4096, "base", None, "llama2"),
        V("llama2-13b-chat", "meta-llama/Llama-2-13b-chat-hf", 13.0, 4096, "chat", None, "llama2"),
        V("llama2-70b", "meta-llama/Llama-2-70b-hf", 69.0, 4096, "base", None, "llama2"),
        V("llama2-70b-chat", "meta-llama/Llama-2-70b-chat-hf", 69.0, 4096, "chat", None, "llama2"),
    ),
    lora_targets=LORA_TARGETS,
    capabilities=CAPABILITIES,
    tiny_config=TINY_CONFIG,
    license="llama2",
    description="Meta Llama 2 7B / 13B / 70B base and chat models (4K context).",
)

LLAMA3 = ModelFamily(
    name="llama3",
    architecture="llama",
    template="llama3",
    variants=(
        V("llama3-8b", "meta-llama/Meta-Llama-3-8B", 8.03, 8192, "base", None, "llama3"),
        V("llama3-8b-instruct", "meta-llama/Meta-Llama-3-8B-Instruct", 8.03, 8192, "instruct", None, "llama3"),
        V("llama3-70b", "meta-llama/Meta-Llama-3-70B", 70.6, 8192, "base", None, "llama3"),
        V("llama3-70b-instruct", "meta-llama/Meta-Llama-3-70B-Instruct", 70.6, 8192, "instruct", None, "llama3"),
    ),
    lora_targets=LORA_TARGETS,
    capabilities=CAPABILITIES,
    tiny_config=TINY_CONFIG,
    license="llama3",
    description="Meta Llama 3 8B / 70B base and instruct models (8K context).",
)

LLAMA3_1 = ModelFamily(
    name="llama3.1",
    architecture="llama",
    template="llama3.1",
    variants=(
        V("llama3.1-8b", "meta-llama/Llama-3.1-8B", 8.03, 131072, "base", None, "llama3.1"),
        V("llama3.1-8b-instruct", "meta-llama/Llama-3.1-8B-Instruct", 8.03, 131072, "instruct", None, "llama3.1"),
        V("llama3.1-70b", "meta-llama/Llama-3.1-70B", 70.6, 131072, "base", None, "llama3.1"),
        V("llama3.1-70b-instruct", "meta-llama/Llama-3.1-70B-Instruct", 70.6, 131072, "instruct", None,
          "llama3.1"),
        V("llama3.1-405b", "meta-llama/Llama-3.1-405B", 406.0, 131072, "base", None, "llama3.1"),
        V("llama3.1-405b-instruct", "meta-llama/Llama-3.1-405B-Instruct", 406.0, 131072, "instruct", None,
          "llama3.1"),
    ),
    lora_targets=LORA_TARGETS,
    capabilities=CAPABILITIES,
    tiny_config=TINY_CONFIG,
    license="llama3.1",
    description="Meta Llama 3.1 8B / 70B / 405B base and instruct models (128K context, tool calling).",
)

LLAMA3_2 = ModelFamily(
    name="llama3.2",
    architecture="llama",
    template="llama3.2",
    variants=(
        V("llama3.2-1b", "meta-llama/Llama-3.2-1B", 1.24, 131072, "base", None, "llama3.2"),
        V("llama3.2-1b-instruct", "meta-llama/Llama-3.2-1B-Instruct", 1.24, 131072, "instruct", None, "llama3.2"),
        V("llama3.2-3b", "meta-llama/Llama-3.2-3B", 3.21, 131072, "base", None, "llama3.2"),
        V("llama3.2-3b-instruct", "meta-llama/Llama-3.2-3B-Instruct", 3.21, 131072, "instruct", None, "llama3.2"),
    ),
    lora_targets=LORA_TARGETS,
    capabilities=CAPABILITIES,
    tiny_config=TINY_CONFIG,
    license="llama3.2",
    description="Meta Llama 3.2 1B / 3B text base and instruct models (128K context).",
)

LLAMA3_3 = ModelFamily(
    name="llama3.3",
    architecture="llama",
    # Llama 3.3's official chat template is byte-identical to 3.1's (tests/test_template_llama31.py).
    template="llama3.1",
    variants=(
        V("llama3.3-70b-instruct", "meta-llama/Llama-3.3-70B-Instruct", 70.6, 131072, "instruct", None,
          "llama3.3"),
    ),
    lora_targets=LORA_TARGETS,
    capabilities=CAPABILITIES,
    tiny_config=TINY_CONFIG,
    license="llama3.3",
    description="Meta Llama 3.3 70B instruct (128K context).",
)


@hookimpl
def register_models(register):
    for family in (LLAMA2, LLAMA3, LLAMA3_1, LLAMA3_2, LLAMA3_3):
        register(family)
