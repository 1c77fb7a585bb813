"""Databricks DBRX (`dbrx`): a fine-grained mixture of experts, 132B total parameters, 16 experts with 4 active,
32k context."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant

DBRX = ModelFamily(
    name="dbrx",
    architecture="dbrx",
    template="dbrx",
    variants=(
        # name, hub id, params (billions), context length, kind, template (None: the family default), licence
        V("dbrx-132b", "databricks/dbrx-base", 131.6, 32768, "base", None, "databricks-open-model-license"),
        V("dbrx-132b-instruct", "databricks/dbrx-instruct", 131.6, 32768, "instruct", None,
          "databricks-open-model-license"),
    ),
    # Attention projections only: the experts are fused 3-D weights, not Linear layers, and the router
    # (`router.layer`) should stay untouched, so "all linear" would be wrong here.
    lora_targets=("Wqkv", "out_proj"),
    capabilities=Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True,
                              moe=True),
    # transformers' DbrxAttentionConfig needs rope_theta and clip_qkv given explicitly (the real model clips at 8).
    tiny_config={"vocab_size": 512, "d_model": 64, "n_layers": 2, "n_heads": 4, "max_seq_len": 512,
                 "attn_config": {"kv_n_heads": 2, "rope_theta": 10000.0, "clip_qkv": 8.0},
                 "ffn_config": {"ffn_hidden_size": 128, "moe_num_experts": 4, "moe_top_k": 2}},
    license="Databricks Open Model License",
    description="DBRX base and instruct: 132B-parameter MoE (36B active), GPT-4 tokenizer.",
)


@hookimpl
def register_models(register):
    register(DBRX)
