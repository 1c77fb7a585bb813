"""Tencent Hunyuan: the dense 0.5B-7B instruct models (model_type `hunyuan_v1_dense`) and Hunyuan-A13B
(`hunyuan_v1_moe`: 80B total, 13B active), all with a 256K context and the `hunyuan` chat format."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant
TINY = {"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
        "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16, "max_position_embeddings": 512}
ATTENTION = ("q_proj", "k_proj", "v_proj", "o_proj")

HUNYUAN = ModelFamily(
    name="hunyuan",
    architecture="hunyuan_v1_dense",
    template="hunyuan",
    variants=(
        # name, hub id, params (billions, as named), context length, kind, template, licence (None: not checked)
        V("hunyuan-0.5b-instruct", "tencent/Hunyuan-0.5B-Instruct", 0.5, 262144, "instruct"),
        V("hunyuan-1.8b-instruct", "tencent/Hunyuan-1.8B-Instruct", 1.8, 262144, "instruct"),
        V("hunyuan-4b-instruct", "tencent/Hunyuan-4B-Instruct", 4.0, 262144, "instruct"),
        V("hunyuan-7b-instruct", "tencent/Hunyuan-7B-Instruct", 7.0, 262144, "instruct"),
    ),
    lora_targets=ATTENTION + ("gate_proj", "up_proj", "down_proj"),
    capabilities=Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True),
    tiny_config=TINY,
    license="Tencent Hunyuan Community License",
    description="Hunyuan dense instruct models, 0.5B to 7B, with fast / slow thinking modes.",
)

HUNYUAN_MOE = ModelFamily(
    name="hunyuan-moe",
    architecture="hunyuan_v1_moe",
    template="hunyuan",
    variants=(
        V("hunyuan-a13b-instruct", "tencent/Hunyuan-A13B-Instruct", 80.0, 262144, "instruct", None,
          "tencent-hunyuan-a13b"),
    ),
    # Routed experts are fused parameters: LoRA reaches attention and the shared expert.
    lora_targets=ATTENTION + ("gate_proj", "up_proj", "down_proj"),
    capabilities=Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True,
                              moe=True),
    tiny_config={**TINY, "num_experts": 4, "moe_topk": 2, "num_shared_expert": 1, "moe_intermediate_size": 32},
    license="Tencent Hunyuan A13B License",
    description="Hunyuan-A13B: fine-grained mixture of experts (1 shared + 64 routed, 8 active), 256K context.",
)


@hookimpl
def register_models(register):
    register(HUNYUAN)
    register(HUNYUAN_MOE)
