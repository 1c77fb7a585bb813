"""Tencent Youtu-LLM 2B (model_type `youtu`: DeepSeek-style multi-head latent attention with low-rank query and
key/value projections), base and instruct, with LLaMA-Factory's `youtu` chat format.

The 131,072 context and the architecture are those of transformers' YoutuConfig, whose defaults are documented as
the tencent/Youtu-LLM-2B configuration; the hub config.json itself was not read here.
"""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant

YOUTU = ModelFamily(
    name="youtu-llm",
    architecture="youtu",
    template="youtu",
    variants=(
        # name, hub id, params (billions), context length, kind, template (None: the family default), licence
        V("youtu-llm-2b-base", "tencent/Youtu-LLM-2B-Base", 2.0, 131072, "base"),
        V("youtu-llm-2b-instruct", "tencent/Youtu-LLM-2B", 2.0, 131072, "instruct"),
    ),
    # MLA: q_a/q_b (low-rank query), kv_a_proj_with_mqa/kv_b_proj (compressed key/value), o_proj; SwiGLU MLP.
    lora_targets=("q_a_proj", "q_b_proj", "kv_a_proj_with_mqa", "kv_b_proj", "o_proj", "gate_proj", "up_proj",
                  "down_proj"),
    capabilities=Capabilities(sdpa=True, flash_attention=False, gradient_checkpointing=True, quantization=True),
    tiny_config={"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 4, "kv_lora_rank": 16, "q_lora_rank": 32,
                 "qk_rope_head_dim": 8, "qk_nope_head_dim": 16, "v_head_dim": 16, "max_position_embeddings": 512,
                 "pad_token_id": 0, "bos_token_id": 1, "eos_token_id": 2},
    license="other (Youtu-LLM license)",
    description="Tencent Youtu-LLM 2B: compact MLA model with 128K context, base and instruct.",
)


@hookimpl
def register_models(register):
    register(YOUTU)
