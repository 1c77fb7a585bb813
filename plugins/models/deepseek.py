"""DeepSeek's first generation: DeepSeek LLM and DeepSeek Math (dense, Llama architecture `llama`, one family each
with shared LoRA targets, capabilities and tiny configuration) and DeepSeekMoE 16B (model_type `deepseek`, its own
modelling code, loads only with `trust_remote_code`). Chat template `deepseek`."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant
LORA_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
DENSE_CAPABILITIES = Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True)
DENSE_TINY_CONFIG = {"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                     "num_attention_heads": 4, "num_key_value_heads": 4, "max_position_embeddings": 512}

DEEPSEEK_LLM = ModelFamily(
    name="deepseek-llm",
    architecture="llama",
    template="deepseek",
    variants=(
        # name, hub id, params (billions), context length, kind, template (None: the family default), licence
        V("deepseek-llm-7b", "deepseek-ai/deepseek-llm-7b-base", 6.91, 4096, "base", None, "deepseek"),
        V("deepseek-llm-67b", "deepseek-ai/deepseek-llm-67b-base", 67.4, 4096, "base", None, "deepseek"),
        V("deepseek-llm-7b-chat", "deepseek-ai/deepseek-llm-7b-chat", 6.91, 4096, "chat", None, "deepseek"),
        V("deepseek-llm-67b-chat", "deepseek-ai/deepseek-llm-67b-chat", 67.4, 4096, "chat", None, "deepseek"),
    ),
    lora_targets=LORA_TARGETS,
    capabilities=DENSE_CAPABILITIES,
    tiny_config=DENSE_TINY_CONFIG,
    license="DeepSeek License",
    description="DeepSeek LLM 7B / 67B base and chat models.",
)

DEEPSEEK_MATH = ModelFamily(
    name="deepseek-math",
    architecture="llama",
    template="deepseek",
    variants=(
        V("deepseek-math-7b", "deepseek-ai/deepseek-math-7b-base", 6.91, 4096, "base", None, "deepseek"),
        V("deepseek-math-7b-instruct", "deepseek-ai/deepseek-math-7b-instruct", 6.91, 4096, "instruct", None,
          "deepseek"),
    ),
    lora_targets=LORA_TARGETS,
    capabilities=DENSE_CAPABILITIES,
    tiny_config=DENSE_TINY_CONFIG,
    license="DeepSeek License",
    description="DeepSeek Math 7B base and instruct (DeepSeek-Coder-v1.5 continued on math data).",
)

DEEPSEEK_MOE = ModelFamily(
    name="deepseek-moe",
    architecture="deepseek",
    template="deepseek",
    variants=(
        V("deepseek-moe-16b", "deepseek-ai/deepseek-moe-16b-base", 16.38, 4096, "base", None, "deepseek"),
        V("deepseek-moe-16b-chat", "deepseek-ai/deepseek-moe-16b-chat", 16.38, 4096, "chat", None, "deepseek"),
    ),
    # The remote experts are ordinary Linear layers with these names; the router (`gate`) is not a Linear.
    lora_targets=LORA_TARGETS,
    capabilities=Capabilities(sdpa=False, flash_attention=False, gradient_checkpointing=True, quantization=True,
                              moe=True, trust_remote_code=True),
    # Keys of the remote DeepseekConfig: 64 routed + 2 shared experts, first layer dense.
    tiny_config={"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "moe_intermediate_size": 32,
                 "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 4,
                 "n_routed_experts": 4, "n_shared_experts": 1, "num_experts_per_tok": 2,
                 "first_k_dense_replace": 1, "moe_layer_freq": 1, "max_position_embeddings": 512},
    license="DeepSeek License",
    description="DeepSeekMoE 16B base and chat: fine-grained experts plus shared experts (2.8B active); remote code.",
)


@hookimpl
def register_models(register):
    for family in (DEEPSEEK_LLM, DEEPSEEK_MATH, DEEPSEEK_MOE):
        register(family)
