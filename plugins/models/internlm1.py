"""Shanghai AI Lab InternLM (2023; model_type `internlm`, remote code with Llama's projection names), with the
`intern` chat format."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant

INTERNLM = ModelFamily(
    name="internlm",
    architecture="internlm",
    template="intern",
    variants=(
        # name, hub id, params (billions, from config.json shapes), context length, kind, template, licence
        V("internlm-7b", "internlm/internlm-7b", 7.32, 2048, "base"),
        V("internlm-20b", "internlm/internlm-20b", 20.1, 4096, "base"),
        V("internlm-7b-chat", "internlm/internlm-chat-7b", 7.32, 2048, "chat"),
        # Its config.json says 4069, a typo of the 4096 the base model declares.
        V("internlm-20b-chat", "internlm/internlm-chat-20b", 20.1, 4096, "chat"),
    ),
    # The remote InternLM layers keep Llama's projection names.
    lora_targets=("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
    capabilities=Capabilities(sdpa=False, flash_attention=False, gradient_checkpointing=True, quantization=True,
                              trust_remote_code=True),
    tiny_config={"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 4, "max_position_embeddings": 512},
    license="Apache-2.0 code; weights under the InternLM license (free commercial use on application)",
    description="InternLM 7B and 20B base and chat models (2023); remote code.",
)


@hookimpl
def register_models(register):
    register(INTERNLM)
