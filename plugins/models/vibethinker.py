"""WeiboAI VibeThinker-1.5B: a small reasoning model (math and competitive coding) on the Qwen2 architecture
(`qwen2`); LLaMA-Factory trains it with the `qwen3` chat format. The 131,072 context is Xinference's registry
figure, not read from config.json."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant

VIBETHINKER = ModelFamily(
    name="vibethinker",
    architecture="qwen2",
    template="qwen3",
    variants=(
        # name, hub id, params (billions), context length, kind, template (None: the family default), licence
        V("vibethinker-1.5b", "WeiboAI/VibeThinker-1.5B", 1.5, 131072, "reasoning"),
    ),
    lora_targets=("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
    capabilities=Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True),
    tiny_config={"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 512,
                 "tie_word_embeddings": True},
    license="mit",
    description="VibeThinker-1.5B: Spectrum-to-Signal trained reasoning model (math, algorithm coding).",
)


@hookimpl
def register_models(register):
    register(VIBETHINKER)
