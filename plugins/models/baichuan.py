"""Baichuan and Baichuan 2 (Baichuan Inc.): checkpoints of model_type `baichuan` that ship their own modelling
code, so they load only with `trust_remote_code`. Attention is one fused `W_pack` projection (q, k, v)."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant
# Remote code: no sdpa / flash-attention switch that transformers can set, so the loader asks for eager attention.
CAPABILITIES = Capabilities(sdpa=False, flash_attention=False, gradient_checkpointing=True, quantization=True,
                            trust_remote_code=True)
LORA_TARGETS = ("W_pack", "o_proj", "gate_proj", "up_proj", "down_proj")
# Keys of the remote BaichuanConfig (7B reads max_position_embeddings, 13B and Baichuan 2 read model_max_length).
TINY_CONFIG = {"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
               "num_attention_heads": 4, "max_position_embeddings": 512, "model_max_length": 512}

BAICHUAN = ModelFamily(
    name="baichuan",
    architecture="baichuan",
    template="baichuan",
    variants=(
        # name, hub id, params (billions), context length, kind, template (None: the family default), licence
        V("baichuan-7b", "baichuan-inc/Baichuan-7B", 7.0, 4096, "base", None, "baichuan-7b"),
        V("baichuan-13b", "baichuan-inc/Baichuan-13B-Base", 13.27, 4096, "base", None, "baichuan-13b"),
        V("baichuan-13b-chat", "baichuan-inc/Baichuan-13B-Chat", 13.27, 4096, "chat", None, "baichuan-13b"),
    ),
    lora_targets=LORA_TARGETS,
    capabilities=CAPABILITIES,
    tiny_config=TINY_CONFIG,
    license="Baichuan-7B / Baichuan-13B model licences (per variant)",
    description="Baichuan 7B (RoPE) and 13B (ALiBi), Chinese-English base and chat models; remote code.",
)

BAICHUAN2 = ModelFamily(
    name="baichuan2",
    architecture="baichuan",
    template="baichuan2",
    variants=(
        V("baichuan2-7b", "baichuan-inc/Baichuan2-7B-Base", 7.51, 4096, "base", None, "baichuan2"),
        V("baichuan2-13b", "baichuan-inc/Baichuan2-13B-Base", 13.9, 4096, "base", None, "baichuan2"),
        V("baichuan2-7b-chat", "baichuan-inc/Baichuan2-7B-Chat", 7.51, 4096, "chat", None, "baichuan2"),
        V("baichuan2-13b-chat", "baichuan-inc/Baichuan2-13B-Chat", 13.9, 4096, "chat", None, "baichuan2"),
    ),
    lora_targets=LORA_TARGETS,
    capabilities=CAPABILITIES,
    tiny_config=TINY_CONFIG,
    license="Baichuan 2 Community License",
    description="Baichuan 2 7B / 13B base and chat (125,696-token vocabulary, normalised output head); remote code.",
)


@hookimpl
def register_models(register):
    register(BAICHUAN)
    register(BAICHUAN2)
