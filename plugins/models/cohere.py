"""Cohere For AI's Aya 23 and Command R / R+: one architecture (`cohere`), two families with the `cohere` chat
template. The 4-bit rows are the official bitsandbytes checkpoints of the same models."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant
CAPABILITIES = Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True)
LORA_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
# Token ids inside the tiny vocabulary (the real ones, 5 / 255001, are out of range).
TINY_CONFIG = {"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
               "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 512,
               "bos_token_id": 1, "eos_token_id": 2, "pad_token_id": 0}

AYA_23 = ModelFamily(
    name="aya-23",
    architecture="cohere",
    template="cohere",
    variants=(
        # name, hub id, params (billions), context length, kind, template (None: the family default), licence
        V("aya-23-8b-chat", "CohereForAI/aya-23-8B", 8.03, 8192, "chat", None, "cc-by-nc-4.0"),
        V("aya-23-35b-chat", "CohereForAI/aya-23-35B", 34.98, 8192, "chat", None, "cc-by-nc-4.0"),
    ),
    lora_targets=LORA_TARGETS,
    capabilities=CAPABILITIES,
    tiny_config=TINY_CONFIG,
    license="CC-BY-NC-4.0",
    description="Aya 23: multilingual (23 languages) instruction-tuned Command-family models.",
)

COMMAND_R = ModelFamily(
    name="command-r",
    architecture="cohere",
    template="cohere",
    variants=(
        # The configs say max_position_embeddings 8192 but model_max_length 131072; the cards state 128K context.
        V("command-r-35b-chat", "CohereForAI/c4ai-command-r-v01", 34.98, 131072, "chat", None, "cc-by-nc-4.0"),
        V("command-r-plus-104b-chat", "CohereForAI/c4ai-command-r-plus", 103.81, 131072, "chat", None,
          "cc-by-nc-4.0"),
        V("command-r-35b-4bit-chat", "CohereForAI/c4ai-command-r-v01-4bit", 34.98, 131072, "chat", None,
          "cc-by-nc-4.0"),
        V("command-r-plus-104b-4bit-chat", "CohereForAI/c4ai-command-r-plus-4bit", 103.81, 131072, "chat", None,
          "cc-by-nc-4.0"),
    ),
    lora_targets=LORA_TARGETS,
    capabilities=CAPABILITIES,
    tiny_config=TINY_CONFIG,
    license="CC-BY-NC-4.0",
    description="Command R (35B) and Command R+ (104B, with QK-norm): retrieval- and tool-use-oriented chat models.",
)


@hookimpl
def register_models(register):
    register(AYA_23)
    register(COMMAND_R)
