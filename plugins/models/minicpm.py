"""OpenBMB MiniCPM: MiniCPM-2B (model_type `minicpm`, remote code, Llama-shaped with scaled embeddings and
residuals) and MiniCPM3-4B (`minicpm3`, native: multi-head latent attention)."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant
TINY = {"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
        "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 512}

MINICPM = ModelFamily(
    name="minicpm",
    architecture="minicpm",
    template="cpm",
    variants=(
        # name, hub id, params (billions, from config.json shapes; 2.4B without embeddings), context, kind, ...
        V("minicpm-2b-sft-chat", "openbmb/MiniCPM-2B-sft-bf16", 2.72, 4096, "chat"),
        V("minicpm-2b-dpo-chat", "openbmb/MiniCPM-2B-dpo-bf16", 2.72, 4096, "chat"),
    ),
    lora_targets=("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
    capabilities=Capabilities(sdpa=False, flash_attention=False, gradient_checkpointing=True, quantization=True,
                              trust_remote_code=True),
    tiny_config={**TINY, "scale_emb": 12, "dim_model_base": 16, "scale_depth": 1.4},
    license="MiniCPM Model License",
    description="MiniCPM-2B SFT and DPO chat models; remote code.",
)

MINICPM3 = ModelFamily(
    name="minicpm3",
    architecture="minicpm3",
    template="cpm3",
    variants=(
        V("minicpm3-4b-chat", "openbmb/MiniCPM3-4B", 4.07, 32768, "chat", None, "apache-2.0"),
    ),
    # Multi-head latent attention: low-rank query and key-value projections.
    lora_targets=("q_a_proj", "q_b_proj", "kv_a_proj_with_mqa", "kv_b_proj", "o_proj", "gate_proj", "up_proj",
                  "down_proj"),
    capabilities=Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True),
    tiny_config={**TINY, "q_lora_rank": 32, "kv_lora_rank": 16, "qk_nope_head_dim": 8, "qk_rope_head_dim": 8,
                 "v_head_dim": 16},
    license="Apache-2.0",
    description="MiniCPM3-4B chat model (32K context).",
)


@hookimpl
def register_models(register):
    register(MINICPM)
    register(MINICPM3)
