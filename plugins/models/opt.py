"""Meta OPT (model_type `opt`): decoder-only base models from 125M to 66B, 2,048-token context (learned positions).
Base models only: `empty` template. Released under the OPT-175B non-commercial licence ("other" on the Hub)."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant

OPT = ModelFamily(
    name="opt",
    architecture="opt",
    template="empty",
    variants=(
        # name, hub id, params (billions), context length, kind, template (None: the family default), licence
        V("opt-125m", "facebook/opt-125m", 0.125, 2048, "base"),
        V("opt-350m", "facebook/opt-350m", 0.35, 2048, "base"),
        V("opt-1.3b", "facebook/opt-1.3b", 1.3, 2048, "base"),
        V("opt-2.7b", "facebook/opt-2.7b", 2.7, 2048, "base"),
        V("opt-6.7b", "facebook/opt-6.7b", 6.7, 2048, "base"),
        V("opt-13b", "facebook/opt-13b", 13.0, 2048, "base"),
        V("opt-30b", "facebook/opt-30b", 30.0, 2048, "base"),
        V("opt-66b", "facebook/opt-66b", 66.0, 2048, "base"),
    ),
    lora_targets=("q_proj", "k_proj", "v_proj", "out_proj", "fc1", "fc2"),
    capabilities=Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True),
    tiny_config={"vocab_size": 512, "hidden_size": 64, "ffn_dim": 128, "word_embed_proj_dim": 64,
                 "num_hidden_layers": 2, "num_attention_heads": 4, "max_position_embeddings": 512,
                 "pad_token_id": 1, "bos_token_id": 2, "eos_token_id": 2},
    license="other (OPT-175B license agreement, non-commercial)",
    description="Meta OPT 125M to 66B open pre-trained transformer base models.",
)


@hookimpl
def register_models(register):
    register(OPT)
