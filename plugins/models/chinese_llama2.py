"""HFL Chinese-LLaMA-2 (base) and Chinese-Alpaca-2 (chat): Llama 2 (`llama`) with a Chinese-extended vocabulary
(55,296 tokens), continued pre-training and instruction tuning; chat template `llama2-zh`."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant

CHINESE_LLAMA2 = ModelFamily(
    name="chinese-llama-2",
    architecture="llama",
    template="llama2-zh",
    variants=(
        # name, hub id, params (billions), context length, kind, template (None: the family default), licence
        # The 1.3B rows are sized from their names: their config.json could not be checked.
        V("chinese-llama-2-1.3b", "hfl/chinese-llama-2-1.3b", 1.3, 4096, "base", None, "apache-2.0"),
        V("chinese-llama-2-7b", "hfl/chinese-llama-2-7b", 6.93, 4096, "base", None, "apache-2.0"),
        V("chinese-llama-2-13b", "hfl/chinese-llama-2-13b", 13.25, 4096, "base", None, "apache-2.0"),
        V("chinese-alpaca-2-1.3b-chat", "hfl/chinese-alpaca-2-1.3b", 1.3, 4096, "chat", None, "apache-2.0"),
        V("chinese-alpaca-2-7b-chat", "hfl/chinese-alpaca-2-7b", 6.93, 4096, "chat", None, "apache-2.0"),
        V("chinese-alpaca-2-13b-chat", "hfl/chinese-alpaca-2-13b", 13.25, 4096, "chat", None, "apache-2.0"),
    ),
    lora_targets=("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
    capabilities=Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True),
    tiny_config={"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 4, "max_position_embeddings": 512},
    license="Apache-2.0 (weights also under the Llama 2 Community License)",
    description="Chinese-LLaMA-2 / Chinese-Alpaca-2 1.3B, 7B, 13B from the Chinese-LLaMA-Alpaca-2 project.",
)


@hookimpl
def register_models(register):
    register(CHINESE_LLAMA2)
