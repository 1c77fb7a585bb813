"""Meta Llama 2 and Llama 3.x: one architecture (`llama`), sizes as rows of data."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant
VARIANTS = (
    # name, hub id, params (billions), context length, kind, template (None: the family default), licence
    V("llama2-7b", "meta-llama/Llama-2-7b-hf", 6.74, 4096, "base", "llama2", "llama2"),
    V("llama2-7b-chat", "meta-llama/Llama-2-7b-chat-hf", 6.74, 4096, "chat", "llama2", "llama2"),
    V("llama2-13b", "meta-llama/Llama-2-13b-hf", 13.0, 4096, "base", "llama2", "llama2"),
    V("llama2-13b-chat", "meta-llama/Llama-2-13b-chat-hf", 13.0, 4096, "chat", "llama2", "llama2"),
    V("llama2-70b", "meta-llama/Llama-2-70b-hf", 69.0, 4096, "base", "llama2", "llama2"),
    V("llama2-70b-chat", "meta-llama/Llama-2-70b-chat-hf", 69.0, 4096, "chat", "llama2", "llama2"),
    V("llama3-8b", "meta-llama/Meta-Llama-3-8B", 8.03, 8192, "base", None, "llama3"),
    V("llama3-8b-instruct", "meta-llama/Meta-Llama-3-8B-Instruct", 8.03, 8192, "instruct", None, "llama3"),
    V("llama3-70b", "meta-llama/Meta-Llama-3-70B", 70.6, 8192, "base", None, "llama3"),
    V("llama3-70b-instruct", "meta-llama/Meta-Llama-3-70B-Instruct", 70.6, 8192, "instruct", None, "llama3"),
)

LLAMA = ModelFamily(
    name="llama",
    architecture="llama",
    template="llama3",
    variants=VARIANTS,
    lora_targets=("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
    capabilities=Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True),
    tiny_config={"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 512},
    license="Llama 2 / Llama 3 Community License (per variant)",
    description="Meta Llama 2 and Llama 3 base and chat/instruct models.",
)


@hookimpl
def register_models(register):
    register(LLAMA)
