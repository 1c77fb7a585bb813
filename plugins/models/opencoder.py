"""INF OpenCoder: open and reproducible code models (Llama architecture), base and instruct at 1.5B and 8B."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant
# Parameter counts computed from config.json (untied 96,640-token embeddings); context = max_position_embeddings.
VARIANTS = (
    # name, hub id, params (billions), context length, kind, template (None: the family default), licence
    V("opencoder-1.5b", "infly/OpenCoder-1.5B-Base", 1.91, 4096, "base", None, "inf"),
    V("opencoder-8b", "infly/OpenCoder-8B-Base", 7.77, 8192, "base", None, "inf"),
    V("opencoder-1.5b-instruct", "infly/OpenCoder-1.5B-Instruct", 1.91, 4096, "instruct", None, "inf"),
    V("opencoder-8b-instruct", "infly/OpenCoder-8B-Instruct", 7.77, 8192, "instruct", None, "inf"),
)

OPENCODER = ModelFamily(
    name="opencoder",
    architecture="llama",
    template="opencoder",
    variants=VARIANTS,
    lora_targets=("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
    capabilities=Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True),
    tiny_config={"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 512,
                 "bos_token_id": 1, "eos_token_id": 2},
    license="inf (OpenCoder model licence)",
    description="INF OpenCoder 1.5B and 8B code models, base and instruct.",
)


@hookimpl
def register_models(register):
    register(OPENCODER)
