"""DeepSeek-R1 distilled models: Qwen2.5 (`qwen2`), Llama 3.1 / 3.3 (`llama`) and Qwen3 (`qwen3`) students trained
on R1 reasoning traces; one family per student architecture, all with the `deepseek-r1` template."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant
CAPABILITIES = Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True)
LORA_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
TINY_CONFIG = {"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
               "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 512}

DEEPSEEK_R1_DISTILL_QWEN = ModelFamily(
    name="deepseek-r1-distill-qwen",
    architecture="qwen2",
    template="deepseek-r1",
    variants=(
        # name, hub id, params (billions), context length, kind, template (None: the family default), licence
        V("deepseek-r1-distill-qwen-1.5b", "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B", 1.78, 131072, "reasoning",
          None, "mit"),
        V("deepseek-r1-distill-qwen-7b", "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", 7.62, 131072, "reasoning",
          None, "mit"),
        V("deepseek-r1-distill-qwen-14b", "deepseek-ai/DeepSeek-R1-Distill-Qwen-14B", 14.77, 131072, "reasoning",
          None, "mit"),
        V("deepseek-r1-distill-qwen-32b", "deepseek-ai/DeepSeek-R1-Distill-Qwen-32B", 32.76, 131072, "reasoning",
          None, "mit"),
    ),
    lora_targets=LORA_TARGETS,
    capabilities=CAPABILITIES,
    tiny_config=TINY_CONFIG,
    license="MIT (students: Qwen2.5 licence, Apache-2.0)",
    description="DeepSeek-R1-Distill-Qwen 1.5B / 7B / 14B / 32B reasoning models.",
)

DEEPSEEK_R1_DISTILL_LLAMA = ModelFamily(
    name="deepseek-r1-distill-llama",
    architecture="llama",
    template="deepseek-r1",
    variants=(
        V("deepseek-r1-distill-llama-8b", "deepseek-ai/DeepSeek-R1-Distill-Llama-8B", 8.03, 131072, "reasoning",
          None, "mit"),
        V("deepseek-r1-distill-llama-70b", "deepseek-ai/DeepSeek-R1-Distill-Llama-70B", 70.55, 131072, "reasoning",
          None, "mit"),
    ),
    lora_targets=LORA_TARGETS,
    capabilities=CAPABILITIES,
    tiny_config=TINY_CONFIG,
    license="MIT (students: Llama 3.1 / Llama 3.3 Community License)",
    description="DeepSeek-R1-Distill-Llama 8B (from Llama-3.1-8B) and 70B (from Llama-3.3-70B-Instruct).",
)

DEEPSEEK_R1_DISTILL_QWEN3 = ModelFamily(
    name="deepseek-r1-distill-qwen3",
    architecture="qwen3",
    template="deepseek-r1",
    variants=(
        V("deepseek-r1-0528-qwen3-8b", "deepseek-ai/DeepSeek-R1-0528-Qwen3-8B", 8.19, 131072, "reasoning", None,
          "mit"),
    ),
    lora_targets=LORA_TARGETS,
    capabilities=CAPABILITIES,
    # Qwen3's default head_dim is 128; the tiny model needs hidden_size / heads.
    tiny_config=dict(TINY_CONFIG, head_dim=16),
    license="MIT",
    description="DeepSeek-R1-0528-Qwen3-8B: Qwen3-8B post-trained on DeepSeek-R1-0528 reasoning.",
)


@hookimpl
def register_models(register):
    register(DEEPSEEK_R1_DISTILL_QWEN)
    register(DEEPSEEK_R1_DISTILL_LLAMA)
    register(DEEPSEEK_R1_DISTILL_QWEN3)
