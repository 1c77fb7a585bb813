"""Meta Llama 2, 3, 3.1, 3.2 and 3.3: one architecture (`llama`), sizes as rows of data; each generation keeps its
own official chat template."""

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
    V("llama3.1-8b", "meta-llama/Llama-3.1-8B", 8.03, 131072, "base", "llama3.1", "llama3.1"),
    V("llama3.1-8b-instruct", "meta-llama/Llama-3.1-8B-Instruct", 8.03, 131072, "instruct", "llama3.1", "llama3.1"),
    V("llama3.1-70b", "meta-llama/Llama-3.1-70B", 70.6, 131072, "base", "llama3.1", "llama3.1"),
    V("llama3.1-70b-instruct", "meta-llama/Llama-3.1-70B-Instruct", 70.6, 131072, "instruct", "llama3.1",
      "llama3.1"),
    V("llama3.1-405b", "meta-llama/Llama-3.1-405B", 406.0, 131072, "base", "llama3.1", "llama3.1"),
    V("llama3.1-405b-instruct", "meta-llama/Llama-3.1-405B-Instruct", 406.0, 131072, "instruct", "llama3.1",
      "llama3.1"),
    V("llama3.2-1b", "meta-llama/Llama-3.2-1B", 1.24, 131072, "base", "llama3.2", "llama3.2"),
    V("llama3.2-1b-instruct", "meta-llama/Llama-3.2-1B-Instruct", 1.24, 131072, "instruct", "llama3.2", "llama3.2"),
    V("llama3.2-3b", "meta-llama/Llama-3.2-3B", 3.21, 131072, "base", "llama3.2", "llama3.2"),
    V("llama3.2-3b-instruct", "meta-llama/Llama-3.2-3B-Instruct", 3.21, 131072, "instruct", "llama3.2", "llama3.2"),
    # Llama 3.3's official chat template is byte-identical to 3.1's (tests/test_template_llama31.py).
    V("llama3.3-70b-instruct", "meta-llama/Llama-3.3-70B-Instruct", 70.6, 131072, "instruct", "llama3.1",
      "llama3.3"),
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
    license="Llama 2 / 3 / 3.1 / 3.2 / 3.3 Community License (per variant)",
    description="Meta Llama 2 and Llama 3 base and chat/instruct models.",
)


@hookimpl
def register_models(register):
    register(LLAMA)
