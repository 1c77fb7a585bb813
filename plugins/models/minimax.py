"""MiniMax-Text-01 and MiniMax-M1 (model_type `minimax`, the transformers-format `-hf` repositories): 456B
mixture-of-experts models (45.9B active) whose layers mostly use linear "lightning" attention, a softmax attention
layer every eighth. One family per generation, sharing LoRA targets, capabilities and tiny configuration."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant
# Softmax attention (q/k/v/o_proj) and lightning attention (fused qkv_proj, output_gate, out_proj); the experts are
# fused parameters.
LORA_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "qkv_proj", "output_gate", "out_proj")
CAPABILITIES = Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True,
                            moe=True)
TINY_CONFIG = {"vocab_size": 512, "hidden_size": 64, "intermediate_size": 64, "num_hidden_layers": 2,
               "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16, "max_position_embeddings": 512,
               "num_local_experts": 4, "num_experts_per_tok": 2, "block_size": 16,
               "layer_types": ["linear_attention", "full_attention"]}
LICENSE = "MiniMax model licence (see the model cards)"

MINIMAX_TEXT_01 = ModelFamily(
    name="minimax-text-01",
    architecture="minimax",
    template="minimax1",
    variants=(
        # name, hub id, params (billions), context length (as the cards state: Text-01 4M tokens at inference,
        # 1M in training; M1 1M), kind, template, licence (None: not checked)
        V("minimax-text-01-instruct", "MiniMaxAI/MiniMax-Text-01-hf", 456.0, 4000000, "instruct"),
    ),
    lora_targets=LORA_TARGETS,
    capabilities=CAPABILITIES,
    tiny_config=TINY_CONFIG,
    license=LICENSE,
    description="MiniMax-Text-01 lightning-attention MoE instruct model.",
)

MINIMAX_M1 = ModelFamily(
    name="minimax-m1",
    architecture="minimax",
    template="minimax1",
    variants=(
        V("minimax-m1-40k-thinking", "MiniMaxAI/MiniMax-M1-40k-hf", 456.0, 1000000, "reasoning"),
        V("minimax-m1-80k-thinking", "MiniMaxAI/MiniMax-M1-80k-hf", 456.0, 1000000, "reasoning"),
    ),
    lora_targets=LORA_TARGETS,
    capabilities=CAPABILITIES,
    tiny_config=TINY_CONFIG,
    license=LICENSE,
    description="MiniMax-M1 reasoning models (40K / 80K thinking budgets), built on MiniMax-Text-01.",
)


@hookimpl
def register_models(register):
    for family in (MINIMAX_TEXT_01, MINIMAX_M1):
        register(family)
