"""Shanghai AI Lab InternLM2 and InternLM2.5 (model_type `internlm2`, remote code with fused `wqkv` attention; one
family each, sharing LoRA targets, capabilities and tiny configuration) and InternLM3 (`internlm3`, built natively on
the Llama implementation). The 2023 InternLM is not registered: its `<|User|>` / `<|Bot|>` markers are plain text to
its tokenizer, which the template engine cannot declare yet."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant
REMOTE = Capabilities(sdpa=False, flash_attention=False, gradient_checkpointing=True, quantization=True,
                      trust_remote_code=True)
TINY = {"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
        "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 512}
# InternLM2 fuses q/k/v into `wqkv`; `wo` is the output projection, w1/w3/w2 the SwiGLU MLP.
INTERNLM2_TARGETS = ("wqkv", "wo", "w1", "w2", "w3")
INTERNLM2_LICENSE = "Apache-2.0 code; weights under the InternLM license (free commercial use on application)"

INTERNLM2 = ModelFamily(
    name="internlm2",
    architecture="internlm2",
    template="intern2",
    variants=(
        V("internlm2-7b", "internlm/internlm2-7b", 7.74, 32768, "base"),
        V("internlm2-20b", "internlm/internlm2-20b", 19.9, 32768, "base"),
        V("internlm2-7b-chat", "internlm/internlm2-chat-7b", 7.74, 32768, "chat"),
        V("internlm2-20b-chat", "internlm/internlm2-chat-20b", 19.9, 32768, "chat"),
    ),
    lora_targets=INTERNLM2_TARGETS,
    capabilities=REMOTE,
    tiny_config=TINY,
    license=INTERNLM2_LICENSE,
    description="InternLM2 7B / 20B base and chat models; remote code.",
)

INTERNLM2_5 = ModelFamily(
    name="internlm2.5",
    architecture="internlm2",
    template="intern2",
    variants=(
        V("internlm2.5-1.8b", "internlm/internlm2_5-1_8b", 1.89, 32768, "base"),
        V("internlm2.5-7b", "internlm/internlm2_5-7b", 7.74, 32768, "base"),
        V("internlm2.5-20b", "internlm/internlm2_5-20b", 19.9, 32768, "base"),
        V("internlm2.5-1.8b-chat", "internlm/internlm2_5-1_8b-chat", 1.89, 32768, "chat"),
        V("internlm2.5-7b-chat", "internlm/internlm2_5-7b-chat", 7.74, 32768, "chat"),
        # max_position_embeddings 262144, extended to 1M tokens with dynamic RoPE scaling.
        V("internlm2.5-7b-chat-1m", "internlm/internlm2_5-7b-chat-1m", 7.74, 262144, "chat"),
        V("internlm2.5-20b-chat", "internlm/internlm2_5-20b-chat", 19.9, 32768, "chat"),
    ),
    lora_targets=INTERNLM2_TARGETS,
    capabilities=REMOTE,
    tiny_config=TINY,
    license=INTERNLM2_LICENSE,
    description="InternLM2.5 1.8B / 7B / 20B base and chat models, and the 7B 1M-context chat; remote code.",
)

INTERNLM3 = ModelFamily(
    name="internlm3",
    architecture="internlm3",
    template="intern2",
    variants=(
        V("internlm3-8b-instruct", "internlm/internlm3-8b-instruct", 8.80, 32768, "instruct", None, "apache-2.0"),
    ),
    lora_targets=("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
    capabilities=Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True),
    tiny_config={**TINY, "head_dim": 16},
    license="Apache-2.0",
    description="InternLM3-8B-Instruct (LLaMA-Factory's `intern2` chat format).",
)


@hookimpl
def register_models(register):
    for family in (INTERNLM2, INTERNLM2_5, INTERNLM3):
        register(family)
