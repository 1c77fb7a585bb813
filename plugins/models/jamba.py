"""AI21 Jamba v0.1 (model_type `jamba`): interleaved Mamba and attention layers with mixture-of-experts MLPs on
every other layer; a base model with no chat format."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant

JAMBA = ModelFamily(
    name="jamba",
    architecture="jamba",
    template="empty",
    variants=(
        # name, hub id, params (billions, from the config shapes; 12B active), context length, kind, ...
        V("jamba-v0.1", "ai21labs/Jamba-v0.1", 51.6, 262144, "base", None, "apache-2.0"),
    ),
    # Attention, the dense MLP layers and the Mamba input projection; experts are fused parameters and PEFT refuses
    # LoRA on a Mamba `out_proj`.
    lora_targets=("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj", "in_proj"),
    capabilities=Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True,
                              moe=True),
    tiny_config={"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 512,
                 "num_experts": 4, "num_experts_per_tok": 2, "attn_layer_period": 2, "attn_layer_offset": 1,
                 "expert_layer_period": 2, "expert_layer_offset": 1, "mamba_d_state": 8, "mamba_dt_rank": 8},
    license="Apache-2.0",
    description="Jamba v0.1: 52B hybrid SSM-Transformer mixture of experts with a 256K context.",
)


@hookimpl
def register_models(register):
    register(JAMBA)
