"""Zhipu AI / THUDM ChatGLM3 (6B): model_type `chatglm` with its own modelling code (loads only with
`trust_remote_code`); fused `query_key_value` attention with two key-value groups.

ChatGLM2 is not registered: its `[gMASK]`/`sop` prefix is a tokenizer command, not text, and its numbered rounds
cannot be rendered token-exact by the template engine yet."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant
CAPABILITIES = Capabilities(sdpa=False, flash_attention=False, gradient_checkpointing=True, quantization=True,
                            trust_remote_code=True)
LORA_TARGETS = ("query_key_value", "dense", "dense_h_to_4h", "dense_4h_to_h")
# Keys of the remote ChatGLMConfig (GLM naming: num_layers, ffn_hidden_size, padded_vocab_size, seq_length).
TINY_CONFIG = {"padded_vocab_size": 512, "hidden_size": 64, "ffn_hidden_size": 128, "num_layers": 2,
               "num_attention_heads": 4, "kv_channels": 16, "multi_query_attention": True,
               "multi_query_group_num": 2, "seq_length": 512}

CHATGLM3 = ModelFamily(
    name="chatglm3",
    architecture="chatglm",
    template="chatglm3",
    variants=(
        V("chatglm3-6b", "zai-org/chatglm3-6b-base", 6.24, 32768, "base", None, "chatglm3-6b"),
        V("chatglm3-6b-chat", "zai-org/chatglm3-6b", 6.24, 8192, "chat", None, "chatglm3-6b"),
    ),
    lora_targets=LORA_TARGETS,
    capabilities=CAPABILITIES,
    tiny_config=TINY_CONFIG,
    license="ChatGLM3-6B Model License",
    description="ChatGLM3-6B base and chat (tool-calling chat format); remote code.",
)


@hookimpl
def register_models(register):
    register(CHATGLM3)
