"""ByteDance Seed-OSS 36B (model_type `seed_oss`): two base models, with and without synthetic instruction data in
pre-training, and the instruct model with a thinking budget and tool calls (`seed-oss` chat format).

The card gives 36B parameters and a native 512K context (64 layers, GQA 80/8/8 heads, vocabulary 155K).
"""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant

SEED_OSS = ModelFamily(
    name="seed-oss",
    architecture="seed_oss",
    template="seed-oss",
    variants=(
        # name, hub id, params (billions), context length, kind, template (None: the family default), licence
        V("seed-oss-36b", "ByteDance-Seed/Seed-OSS-36B-Base", 36.0, 524288, "base"),
        V("seed-oss-36b-wosyn", "ByteDance-Seed/Seed-OSS-36B-Base-woSyn", 36.0, 524288, "base"),
        V("seed-oss-36b-instruct", "ByteDance-Seed/Seed-OSS-36B-Instruct", 36.0, 524288, "reasoning"),
    ),
    lora_targets=("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
    capabilities=Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True),
    tiny_config={"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16, "max_position_embeddings": 512},
    license="apache-2.0",
    description="ByteDance Seed-OSS 36B: long-context (512K) base models and a reasoning/agent instruct model.",
)


@hookimpl
def register_models(register):
    register(SEED_OSS)
