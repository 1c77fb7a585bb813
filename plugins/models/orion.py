"""OrionStar Orion-14B: a multilingual 14B model and its chat, long-context, RAG and plugin fine-tunes.

The architecture (`orion`) exists only as remote code in the checkpoints, so loading needs `trust_remote_code` and
the conformance kit cannot build it from the installed transformers.
"""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant
# 14.5B is computed from config.json (hidden 5120, 40 layers, untied 84,608-token embeddings); cards say "14B".
VARIANTS = (
    # name, hub id, params (billions), context length, kind, template (None: the family default), licence
    V("orion-14b", "OrionStarAI/Orion-14B-Base", 14.5, 4096, "base", None, "orion"),
    V("orion-14b-chat", "OrionStarAI/Orion-14B-Chat", 14.5, 4096, "chat", None, "orion"),
    # The card: "performs exceptionally well at a token length of 200k and can support up to 320k".
    V("orion-14b-longchat", "OrionStarAI/Orion-14B-LongChat", 14.5, 200000, "chat", None, "orion"),
    V("orion-14b-chat-rag", "OrionStarAI/Orion-14B-Chat-RAG", 14.5, 4096, "chat", None, "orion"),
    V("orion-14b-chat-plugin", "OrionStarAI/Orion-14B-Chat-Plugin", 14.5, 4096, "chat", None, "orion"),
)

ORION = ModelFamily(
    name="orion",
    architecture="orion",
    template="orion",
    variants=VARIANTS,
    # Remote code: the module names cannot be checked on a tiny model here, so LoRA takes every linear layer.
    lora_targets=(),
    capabilities=Capabilities(sdpa=False, flash_attention=False, gradient_checkpointing=True, quantization=True,
                              trust_remote_code=True),
    tiny_config={"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 4, "max_position_embeddings": 512},
    license="orion (Orion-14B model licence)",
    description="OrionStar Orion-14B base, chat, long-chat, RAG and plugin models (remote code).",
)


@hookimpl
def register_models(register):
    register(ORION)
