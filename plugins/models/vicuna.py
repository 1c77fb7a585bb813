"""LMSYS Vicuna v1.5: Llama 2 fine-tuned on ShareGPT conversations (architecture `llama`, 4,096 context), with the
`vicuna` chat format."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant

VICUNA = ModelFamily(
    name="vicuna",
    architecture="llama",
    template="vicuna",
    variants=(
        # name, hub id, params (billions), context length, kind, template (None: the family default), licence
        V("vicuna-v1.5-7b-chat", "lmsys/vicuna-7b-v1.5", 6.74, 4096, "chat"),
        V("vicuna-v1.5-13b-chat", "lmsys/vicuna-13b-v1.5", 13.0, 4096, "chat"),
    ),
    lora_targets=("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
    capabilities=Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True),
    tiny_config={"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 4, "max_position_embeddings": 512},
    license="llama2",
    description="Vicuna v1.5 7B / 13B chat models (Llama 2 Community License).",
)


@hookimpl
def register_models(register):
    register(VICUNA)
