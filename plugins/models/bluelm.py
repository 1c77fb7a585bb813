"""vivo BlueLM 7B: a Llama-like model of model_type `BlueLM` with its own modelling code (loads only with
`trust_remote_code`)."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant

BLUELM = ModelFamily(
    name="bluelm",
    architecture="BlueLM",
    template="bluelm",
    variants=(
        # name, hub id, params (billions), context length, kind, template (None: the family default), licence
        V("bluelm-7b", "vivo-ai/BlueLM-7B-Base", 7.3, 2048, "base", None, "bluelm"),
        V("bluelm-7b-chat", "vivo-ai/BlueLM-7B-Chat", 7.3, 2048, "chat", None, "bluelm"),
    ),
    lora_targets=("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
    capabilities=Capabilities(sdpa=False, flash_attention=False, gradient_checkpointing=True, quantization=True,
                              trust_remote_code=True),
    # Keys of the remote BlueLMConfig (Llama-style, plus the stable-embedding LayerNorm switch).
    tiny_config={"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 4, "max_position_embeddings": 512,
                 "use_stable_embedding": True},
    license="vivo BlueLM Model License",
    description="BlueLM 7B base and chat (2K context), Chinese and English; remote code.",
)


@hookimpl
def register_models(register):
    register(BLUELM)
