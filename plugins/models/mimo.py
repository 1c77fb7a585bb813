"""Xiaomi MiMo-7B (model_type `mimo`, remote code: Qwen2 layers plus a multi-token-prediction layer): base, SFT and
RL reasoning checkpoints with a 32K context."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant

MIMO = ModelFamily(
    name="mimo",
    architecture="mimo",
    template="mimo",
    variants=(
        # name, hub id, params (billions, as named), context length, kind, template, licence (None: not checked)
        V("mimo-7b", "XiaomiMiMo/MiMo-7B-Base", 7.0, 32768, "base"),
        V("mimo-7b-instruct", "XiaomiMiMo/MiMo-7B-SFT", 7.0, 32768, "reasoning"),
        V("mimo-7b-instruct-rl", "XiaomiMiMo/MiMo-7B-RL", 7.0, 32768, "reasoning"),
        V("mimo-7b-rl-zero", "XiaomiMiMo/MiMo-7B-RL-ZERO", 7.0, 32768, "reasoning"),
    ),
    # MiMoConfig subclasses Qwen2Config and the decoder layers are Qwen2's.
    lora_targets=("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
    capabilities=Capabilities(sdpa=False, flash_attention=False, gradient_checkpointing=True, quantization=True,
                              trust_remote_code=True),
    tiny_config={"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 512,
                 "num_nextn_predict_layers": 1},
    license="see the model cards",
    description="MiMo-7B reasoning models (base, SFT, RL, RL-Zero); remote code.",
)


@hookimpl
def register_models(register):
    register(MIMO)
