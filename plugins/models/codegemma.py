"""Google CodeGemma: Gemma (`gemma`) continued on code; the instruction-tuned rows use the `gemma` chat
template."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant

CODEGEMMA = ModelFamily(
    name="codegemma",
    architecture="gemma",
    template="gemma",
    variants=(
        # name, hub id, params (billions), context length, kind, template (None: the family default), licence
        V("codegemma-7b", "google/codegemma-7b", 8.54, 8192, "base", None, "gemma"),
        V("codegemma-7b-instruct", "google/codegemma-7b-it", 8.54, 8192, "instruct", None, "gemma"),
        V("codegemma-1.1-2b", "google/codegemma-1.1-2b", 2.51, 8192, "base", None, "gemma"),
        V("codegemma-1.1-7b-instruct", "google/codegemma-1.1-7b-it", 8.54, 8192, "instruct", None, "gemma"),
    ),
    lora_targets=("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
    capabilities=Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True),
    # Gemma's default head_dim is 256; the tiny model needs hidden_size / heads.
    tiny_config={"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16, "max_position_embeddings": 512},
    license="Gemma Terms of Use",
    description="CodeGemma 2B (code completion) and 7B (completion and instruction-tuned), versions 1.0 and 1.1.",
)


@hookimpl
def register_models(register):
    register(CODEGEMMA)
