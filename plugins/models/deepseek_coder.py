"""DeepSeek-Coder (first generation): Llama-architecture (`llama`) code models, 16k context (7B v1.5: 4k, built on
DeepSeek LLM 7B), with the `deepseek-coder` chat template."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant

DEEPSEEK_CODER = ModelFamily(
    name="deepseek-coder",
    architecture="llama",
    template="deepseek-coder",
    variants=(
        # name, hub id, params (billions), context length, kind, template (None: the family default), licence
        V("deepseek-coder-6.7b", "deepseek-ai/deepseek-coder-6.7b-base", 6.74, 16384, "base", None, "deepseek"),
        V("deepseek-coder-7b-v1.5", "deepseek-ai/deepseek-coder-7b-base-v1.5", 6.91, 4096, "base", None,
          "deepseek"),
        V("deepseek-coder-33b", "deepseek-ai/deepseek-coder-33b-base", 33.34, 16384, "base", None, "deepseek"),
        V("deepseek-coder-6.7b-instruct", "deepseek-ai/deepseek-coder-6.7b-instruct", 6.74, 16384, "instruct",
          None, "deepseek"),
        V("deepseek-coder-7b-instruct-v1.5", "deepseek-ai/deepseek-coder-7b-instruct-v1.5", 6.91, 4096,
          "instruct", None, "deepseek"),
        V("deepseek-coder-33b-instruct", "deepseek-ai/deepseek-coder-33b-instruct", 33.34, 16384, "instruct", None,
          "deepseek"),
    ),
    lora_targets=("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
    capabilities=Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True),
    tiny_config={"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 4, "max_position_embeddings": 512},
    license="DeepSeek License",
    description="DeepSeek-Coder 6.7B / 7B v1.5 / 33B base and instruct.",
)


@hookimpl
def register_models(register):
    register(DEEPSEEK_CODER)
