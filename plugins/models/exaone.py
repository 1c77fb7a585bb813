"""LG AI Research EXAONE 3.0: a Llama-shaped decoder whose checkpoint declares model_type `exaone` (transformers
builds it natively and renames the original `attn.attention.*` / `mlp.c_fc_*` weights to Llama's names)."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant

EXAONE = ModelFamily(
    name="exaone",
    architecture="exaone",
    template="exaone",
    variants=(
        # name, hub id, params (billions), context length, kind, template (None: the family default), licence
        V("exaone3-7.8b-instruct", "LGAI-EXAONE/EXAONE-3.0-7.8B-Instruct", 7.82, 4096, "instruct", None, "exaone"),
    ),
    lora_targets=("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
    capabilities=Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True),
    tiny_config={"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 512,
                 "bos_token_id": 1, "eos_token_id": 2, "pad_token_id": 0},
    license="EXAONE AI Model License 1.1 - NC (non-commercial)",
    description="EXAONE 3.0 7.8B bilingual (English / Korean) instruction-tuned model.",
)


@hookimpl
def register_models(register):
    register(EXAONE)
