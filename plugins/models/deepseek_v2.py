"""DeepSeek-V2 generation (`deepseek_v2`: multi-head latent attention and DeepSeekMoE), one family per model group:
V2 / V2-Lite, Coder-V2, and the later V2-Chat-0628 / V2.5 releases, which use the `deepseek3` chat format as
LLaMA-Factory registers them. The families share LoRA targets, capabilities and tiny configuration."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant
# All linear layers except the output head: the Lite models project queries with `q_proj`, the full-size ones with
# `q_a_proj` / `q_b_proj`; the router is not a Linear and the routed experts are fused weights, so "all linear"
# reaches attention, dense MLPs and shared experts only.
LORA_TARGETS = ()
CAPABILITIES = Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True,
                            moe=True)
TINY_CONFIG = {"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "moe_intermediate_size": 32,
               "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 4,
               "n_routed_experts": 4, "n_shared_experts": 1, "num_experts_per_tok": 2, "first_k_dense_replace": 1,
               "n_group": 1, "topk_group": 1, "kv_lora_rank": 16, "q_lora_rank": 32, "qk_nope_head_dim": 16,
               "qk_rope_head_dim": 8, "v_head_dim": 16, "max_position_embeddings": 512}

DEEPSEEK_V2 = ModelFamily(
    name="deepseek-v2",
    architecture="deepseek_v2",
    template="deepseek",
    variants=(
        # name, hub id, params (billions), context length, kind, template (None: the family default), licence
        V("deepseek-v2-lite", "deepseek-ai/DeepSeek-V2-Lite", 15.71, 32768, "base", None, "deepseek"),
        V("deepseek-v2", "deepseek-ai/DeepSeek-V2", 235.74, 131072, "base", None, "deepseek"),
        V("deepseek-v2-lite-chat", "deepseek-ai/DeepSeek-V2-Lite-Chat", 15.71, 32768, "chat", None, "deepseek"),
        V("deepseek-v2-chat", "deepseek-ai/DeepSeek-V2-Chat", 235.74, 131072, "chat", None, "deepseek"),
    ),
    lora_targets=LORA_TARGETS,
    capabilities=CAPABILITIES,
    tiny_config=TINY_CONFIG,
    license="DeepSeek License",
    description="DeepSeek-V2 (236B, 21B active) and V2-Lite (16B, 2.4B active) base and chat models.",
)

DEEPSEEK_CODER_V2 = ModelFamily(
    name="deepseek-coder-v2",
    architecture="deepseek_v2",
    template="deepseek",
    variants=(
        V("deepseek-coder-v2-lite", "deepseek-ai/DeepSeek-Coder-V2-Lite-Base", 15.71, 131072, "base", None, "deepseek"),
        V("deepseek-coder-v2", "deepseek-ai/DeepSeek-Coder-V2-Base", 235.74, 131072, "base", None, "deepseek"),
        V("deepseek-coder-v2-lite-instruct", "deepseek-ai/DeepSeek-Coder-V2-Lite-Instruct", 15.71, 131072, "instruct",
          None, "deepseek"),
        V("deepseek-coder-v2-instruct", "deepseek-ai/DeepSeek-Coder-V2-Instruct", 235.74, 131072, "instruct", None,
          "deepseek"),
    ),
    lora_targets=LORA_TARGETS,
    capabilities=CAPABILITIES,
    tiny_config=TINY_CONFIG,
    license="DeepSeek License",
    description="DeepSeek-Coder-V2 and Coder-V2-Lite code models (128K context), base and instruct.",
)

DEEPSEEK_V2_5 = ModelFamily(
    name="deepseek-v2.5",
    architecture="deepseek_v2",
    template="deepseek3",
    variants=(
        V("deepseek-v2-chat-0628", "deepseek-ai/DeepSeek-V2-Chat-0628", 235.74, 131072, "chat", None, "deepseek"),
        V("deepseek-v2.5", "deepseek-ai/DeepSeek-V2.5", 235.74, 131072, "chat", None, "deepseek"),
        V("deepseek-v2.5-1210", "deepseek-ai/DeepSeek-V2.5-1210", 235.74, 131072, "chat", None, "deepseek"),
    ),
    lora_targets=LORA_TARGETS,
    capabilities=CAPABILITIES,
    tiny_config=TINY_CONFIG,
    license="DeepSeek License",
    description="DeepSeek-V2-Chat-0628 and DeepSeek-V2.5 (its merge with Coder-V2-Instruct-0724), V2.5-1210.",
)


@hookimpl
def register_models(register):
    for family in (DEEPSEEK_V2, DEEPSEEK_CODER_V2, DEEPSEEK_V2_5):
        register(family)
