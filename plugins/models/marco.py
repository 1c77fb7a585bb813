"""Alibaba AIDC Marco-o1: an open reasoning model fine-tuned from Qwen2-7B-Instruct (model_type `qwen2`)."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant

MARCO = ModelFamily(
    name="marco",
    architecture="qwen2",
    template="marco",
    variants=(
        # name, hub id, params (billions, from the Qwen2-7B config shapes), context length, kind, template, licence
        V("marco-o1-7b", "AIDC-AI/Marco-o1", 7.62, 32768, "reasoning", None, "apache-2.0"),
    ),
    lora_targets=("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
    capabilities=Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True),
    tiny_config={"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 512},
    license="Apache-2.0",
    description="Marco-o1: chain-of-thought / MCTS-tuned reasoning model on Qwen2-7B.",
)


@hookimpl
def register_models(register):
    register(MARCO)
