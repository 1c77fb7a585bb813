"""Zhipu AI GLM-4: the original GLM-4-9B checkpoints (model_type `chatglm`, remote code), the GLM-4-0414 dense models
(`glm4`, native) and the GLM-4.5 mixture-of-experts models (`glm4_moe`, native). GLM-Z1 is not registered yet: no verified
template for its reasoning format."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant
DENSE_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_up_proj", "down_proj")
TINY_GLM4 = {"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
             "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16, "max_position_embeddings": 512,
             "pad_token_id": 0, "eos_token_id": 1}

GLM4 = ModelFamily(
    name="glm4",
    architecture="chatglm",
    template="glm4",
    variants=(
        # name, hub id, params (billions), context length (config seq_length), kind, template, licence
        V("glm4-9b", "zai-org/glm-4-9b", 9.4, 8192, "base", None, "glm-4"),
        V("glm4-9b-chat", "zai-org/glm-4-9b-chat", 9.4, 131072, "chat", None, "glm-4"),
        V("glm4-9b-chat-1m", "zai-org/glm-4-9b-chat-1m", 9.4, 1048576, "chat", None, "glm-4"),
    ),
    lora_targets=("query_key_value", "dense", "dense_h_to_4h", "dense_4h_to_h"),
    capabilities=Capabilities(sdpa=False, flash_attention=False, gradient_checkpointing=True, quantization=True,
                              trust_remote_code=True),
    # Keys of the remote ChatGLMConfig (GLM naming: num_layers, ffn_hidden_size, padded_vocab_size, seq_length).
    tiny_config={"padded_vocab_size": 512, "hidden_size": 64, "ffn_hidden_size": 128, "num_layers": 2,
                 "num_attention_heads": 4, "kv_channels": 16, "multi_query_attention": True,
                 "multi_query_group_num": 2, "seq_length": 512},
    license="GLM-4 Model License",
    description="GLM-4-9B base and chat (128K and 1M context) with their own modelling code.",
)

GLM4_0414 = ModelFamily(
    name="glm4-0414",
    architecture="glm4",
    template="glm4",
    variants=(
        # Sizes and the 32K context as published for the GLM-4-0414 series.
        V("glm4-0414-9b-chat", "zai-org/GLM-4-9B-0414", 9.0, 32768, "chat", None, "mit"),
        V("glm4-0414-32b", "zai-org/GLM-4-32B-Base-0414", 32.0, 32768, "base", None, "mit"),
        V("glm4-0414-32b-chat", "zai-org/GLM-4-32B-0414", 32.0, 32768, "chat", None, "mit"),
    ),
    lora_targets=DENSE_TARGETS,
    capabilities=Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True),
    tiny_config=TINY_GLM4,
    license="MIT",
    description="GLM-4-0414 9B and 32B base and chat models.",
)

GLM4_MOE = ModelFamily(
    name="glm4.5",
    architecture="glm4_moe",
    template="glm4-moe",
    variants=(
        # Total parameters as published (GLM-4.5: 355B, 32B active; GLM-4.5-Air: 106B, 12B active).
        V("glm4.5-air", "zai-org/GLM-4.5-Air-Base", 106.0, 131072, "base", None, "mit"),
        V("glm4.5", "zai-org/GLM-4.5-Base", 355.0, 131072, "base", None, "mit"),
        V("glm4.5-air-thinking", "zai-org/GLM-4.5-Air", 106.0, 131072, "reasoning", None, "mit"),
        V("glm4.5-thinking", "zai-org/GLM-4.5", 355.0, 131072, "reasoning", None, "mit"),
    ),
    # Routed experts are fused parameters, not Linear layers: LoRA reaches attention, the dense first layers and
    # the shared expert.
    lora_targets=("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
    capabilities=Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True,
                              moe=True),
    tiny_config={**TINY_GLM4, "moe_intermediate_size": 32, "n_routed_experts": 4, "num_experts_per_tok": 2,
                 "n_shared_experts": 1, "first_k_dense_replace": 1, "n_group": 1, "topk_group": 1},
    license="MIT",
    description="GLM-4.5 and GLM-4.5-Air mixture-of-experts base and hybrid-reasoning models.",
)


@hookimpl
def register_models(register):
    register(GLM4)
    register(GLM4_0414)
    register(GLM4_MOE)
