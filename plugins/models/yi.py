"""01.AI Yi, Yi-1.5 and Yi-Coder on the Llama architecture (`llama`), all with the `yi` chat format (ChatML-style).

Context lengths: 4,096 for Yi and Yi-1.5 as listed here (their 16K / 32K / 200K siblings are separate checkpoints;
01.AI confirms Yi-1.5's 4K in config.json), 128K for Yi-Coder (its cards). Parameter counts are the model names';
quantized chat checkpoints carry the count of the model they quantize. Yi (first generation) was published under the
Yi License, Yi-1.5 and Yi-Coder under Apache 2.0.
"""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant
YI_LICENSE, APACHE = "yi-license", "apache-2.0"

YI = ModelFamily(
    name="yi",
    architecture="llama",
    template="chatml",  # Yi chats in plain ChatML (LLaMA-Factory's `yi` template is ChatML)
    variants=(
        # name, hub id, params (billions), context length, kind, template (None: the family default), licence
        V("yi-6b", "01-ai/Yi-6B", 6.0, 4096, "base", None, YI_LICENSE),
        V("yi-9b", "01-ai/Yi-9B", 9.0, 4096, "base", None, YI_LICENSE),
        V("yi-34b", "01-ai/Yi-34B", 34.0, 4096, "base", None, YI_LICENSE),
        V("yi-6b-chat", "01-ai/Yi-6B-Chat", 6.0, 4096, "chat", None, YI_LICENSE),
        V("yi-34b-chat", "01-ai/Yi-34B-Chat", 34.0, 4096, "chat", None, YI_LICENSE),
        V("yi-6b-chat-8bits", "01-ai/Yi-6B-Chat-8bits", 6.0, 4096, "chat", None, YI_LICENSE),
        V("yi-6b-chat-4bits", "01-ai/Yi-6B-Chat-4bits", 6.0, 4096, "chat", None, YI_LICENSE),
        V("yi-34b-chat-8bits", "01-ai/Yi-34B-Chat-8bits", 34.0, 4096, "chat", None, YI_LICENSE),
        V("yi-34b-chat-4bits", "01-ai/Yi-34B-Chat-4bits", 34.0, 4096, "chat", None, YI_LICENSE),
        V("yi-1.5-6b", "01-ai/Yi-1.5-6B", 6.0, 4096, "base", None, APACHE),
        V("yi-1.5-9b", "01-ai/Yi-1.5-9B", 9.0, 4096, "base", None, APACHE),
        V("yi-1.5-34b", "01-ai/Yi-1.5-34B", 34.0, 4096, "base", None, APACHE),
        V("yi-1.5-6b-chat", "01-ai/Yi-1.5-6B-Chat", 6.0, 4096, "chat", None, APACHE),
        V("yi-1.5-9b-chat", "01-ai/Yi-1.5-9B-Chat", 9.0, 4096, "chat", None, APACHE),
        V("yi-1.5-34b-chat", "01-ai/Yi-1.5-34B-Chat", 34.0, 4096, "chat", None, APACHE),
        V("yi-coder-1.5b", "01-ai/Yi-Coder-1.5B", 1.5, 131072, "base", None, APACHE),
        V("yi-coder-9b", "01-ai/Yi-Coder-9B", 9.0, 131072, "base", None, APACHE),
        V("yi-coder-1.5b-chat", "01-ai/Yi-Coder-1.5B-Chat", 1.5, 131072, "chat", None, APACHE),
        V("yi-coder-9b-chat", "01-ai/Yi-Coder-9B-Chat", 9.0, 131072, "chat", None, APACHE),
    ),
    lora_targets=("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
    capabilities=Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True),
    tiny_config={"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 512},
    license="Yi License (Yi) / Apache-2.0 (Yi-1.5, Yi-Coder), per variant",
    description="01.AI Yi 6B / 9B / 34B, Yi-1.5 and Yi-Coder (52 programming languages, 128K), base and chat.",
)


@hookimpl
def register_models(register):
    register(YI)
