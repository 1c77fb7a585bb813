"""Baidu ERNIE 4.5 text models: the dense 0.3B (model_type `ernie4_5`) and the MoE 21B-A3B / 300B-A47B
(`ernie4_5_moe`), 131,072-token context, PyTorch (`-PT`) checkpoints. Post-trained models use `ernie-nothink`
(LLaMA-Factory's choice); the 21B-A3B Thinking model uses LLaMA-Factory's `ernie` (thinking) format.

Parameter counts: 0.36B dense; 21B total / 3B active; 300B total / 47B active (the names).
"""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant
LORA_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
TINY_CONFIG = {"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
               "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16, "max_position_embeddings": 512,
               "pad_token_id": 0, "bos_token_id": 1, "eos_token_id": 2}

ERNIE4_5 = ModelFamily(
    name="ernie4.5",
    architecture="ernie4_5",
    template="ernie-nothink",
    variants=(
        # name, hub id, params (billions), context length, kind, template (None: the family default), licence
        V("ernie-4.5-0.3b-base", "baidu/ERNIE-4.5-0.3B-Base-PT", 0.36, 131072, "base"),
        V("ernie-4.5-0.3b-instruct", "baidu/ERNIE-4.5-0.3B-PT", 0.36, 131072, "instruct"),
    ),
    lora_targets=LORA_TARGETS,
    capabilities=Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True),
    tiny_config=TINY_CONFIG,
    license="apache-2.0",
    description="ERNIE 4.5 0.3B dense model, base and post-trained.",
)

ERNIE4_5_MOE = ModelFamily(
    name="ernie4.5-moe",
    architecture="ernie4_5_moe",
    template="ernie-nothink",
    variants=(
        V("ernie-4.5-21b-a3b-base", "baidu/ERNIE-4.5-21B-A3B-Base-PT", 21.0, 131072, "base"),
        V("ernie-4.5-21b-a3b-instruct", "baidu/ERNIE-4.5-21B-A3B-PT", 21.0, 131072, "instruct"),
        V("ernie-4.5-300b-a47b-base", "baidu/ERNIE-4.5-300B-A47B-Base-PT", 300.0, 131072, "base"),
        V("ernie-4.5-300b-a47b-instruct", "baidu/ERNIE-4.5-300B-A47B-PT", 300.0, 131072, "instruct"),
    ),
    # Attention plus the dense layers' and shared experts' MLP; routed experts are fused parameters in transformers.
    lora_targets=LORA_TARGETS,
    capabilities=Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True,
                              moe=True),
    tiny_config=dict(TINY_CONFIG, moe_intermediate_size=32, moe_num_experts=4, moe_k=2, moe_num_shared_experts=1,
                     moe_layer_start_index=1),
    license="apache-2.0",
    description="ERNIE 4.5 MoE text models: 21B-A3B (base, post-trained, thinking) and 300B-A47B.",
)


@hookimpl
def register_models(register):
    register(ERNIE4_5)
    register(ERNIE4_5_MOE)
