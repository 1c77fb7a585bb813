"""XVERSE (Shenzhen Yuanxiang) multilingual models, remote code with model_type `xverse`, all in the `xverse` chat
format: dense 7B / 13B (8K context) and 65B / 65B-2 (16K context) base, chat and GPTQ-quantized chat models, and the
MoE XVERSE-MoE-A4.2B (25.8B total, 4.2B active, 64 fine-grained + 2 shared experts, 8K). The dense families share
LoRA targets, capabilities and tiny configuration.

Quantized checkpoints are listed with the parameter count of the model they quantize.
"""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant
LICENSE = "apache-2.0"
# Keys of the remote XverseConfig (a LlamaConfig copy; MoE adds the expert keys).
TINY_CONFIG = {"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
               "num_attention_heads": 4, "max_position_embeddings": 512}
# The decoder layers keep Llama's names (the GPTQ layer lists of XverseDecoderLayer name these seven).
DENSE_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
DENSE = Capabilities(sdpa=False, flash_attention=True, gradient_checkpointing=True, quantization=True,
                     trust_remote_code=True)

XVERSE = ModelFamily(
    name="xverse",
    architecture="xverse",
    template="xverse",
    variants=(
        # name, hub id, params (billions), context length, kind, template (None: the family default), licence
        V("xverse-7b", "xverse/XVERSE-7B", 7.0, 8192, "base"),
        V("xverse-13b", "xverse/XVERSE-13B", 13.0, 8192, "base"),
        V("xverse-7b-chat", "xverse/XVERSE-7B-Chat", 7.0, 8192, "chat"),
        V("xverse-13b-chat", "xverse/XVERSE-13B-Chat", 13.0, 8192, "chat"),
        V("xverse-7b-chat-gptq-int8", "xverse/XVERSE-7B-Chat-GPTQ-Int8", 7.0, 8192, "chat"),
        V("xverse-7b-chat-gptq-int4", "xverse/XVERSE-7B-Chat-GPTQ-Int4", 7.0, 8192, "chat"),
        V("xverse-13b-chat-gptq-int8", "xverse/XVERSE-13B-Chat-GPTQ-Int8", 13.0, 8192, "chat"),
        V("xverse-13b-chat-gptq-int4", "xverse/XVERSE-13B-Chat-GPTQ-Int4", 13.0, 8192, "chat"),
    ),
    lora_targets=DENSE_TARGETS,
    capabilities=DENSE,
    tiny_config=TINY_CONFIG,
    license=LICENSE,
    description="XVERSE 7B / 13B dense models (40+ languages, 8K context), base, chat and GPTQ chat; remote code.",
)

XVERSE_65B = ModelFamily(
    name="xverse-65b",
    architecture="xverse",
    template="xverse",
    variants=(
        # XVERSE-65B-2: the 65B base continued on more tokens (stronger at maths and code).
        V("xverse-65b", "xverse/XVERSE-65B", 65.0, 16384, "base"),
        V("xverse-65b-2", "xverse/XVERSE-65B-2", 65.0, 16384, "base"),
        V("xverse-65b-chat", "xverse/XVERSE-65B-Chat", 65.0, 16384, "chat"),
        V("xverse-65b-chat-gptq-int4", "xverse/XVERSE-65B-Chat-GPTQ-Int4", 65.0, 16384, "chat"),
    ),
    lora_targets=DENSE_TARGETS,
    capabilities=DENSE,
    tiny_config=TINY_CONFIG,
    license=LICENSE,
    description="XVERSE 65B and 65B-2 base models (16K context), 65B chat and GPTQ chat; remote code.",
)

XVERSE_MOE = ModelFamily(
    name="xverse-moe",
    architecture="xverse",
    template="xverse",
    variants=(
        V("xverse-moe-a4.2b", "xverse/XVERSE-MoE-A4.2B", 25.8, 8192, "base"),
    ),
    # Attention only: the expert modules' names in the remote code could not be checked here.
    lora_targets=("q_proj", "k_proj", "v_proj", "o_proj"),
    capabilities=Capabilities(sdpa=False, flash_attention=True, gradient_checkpointing=True, quantization=True,
                              moe=True, trust_remote_code=True),
    tiny_config=dict(TINY_CONFIG, num_experts=4, num_shared_experts=1, moe_top_k=2),
    license=LICENSE,
    description="XVERSE-MoE-A4.2B: 25.8B-parameter MoE (4.2B active) base model; remote code.",
)


@hookimpl
def register_models(register):
    for family in (XVERSE, XVERSE_65B, XVERSE_MOE):
        register(family)
