"""TII Falcon (model_type `falcon`, fused `query_key_value` attention): the first Falcon models (7B / 40B / 180B)
and Falcon 2 (11B), one family each sharing LoRA targets, capabilities and tiny configuration; and Falcon-H1
(model_type `falcon_h1`: hybrid attention + Mamba-2 heads in every layer). Each keeps its own chat template."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant
FALCON_TARGETS = ("query_key_value", "dense", "dense_h_to_4h", "dense_4h_to_h")
FALCON_CAPABILITIES = Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True)
# The 11B / 40B / 180B layout (new_decoder_architecture: grouped key-value heads, two layer norms).
FALCON_TINY = {"vocab_size": 512, "hidden_size": 64, "ffn_hidden_size": 128, "num_hidden_layers": 2,
               "num_attention_heads": 4, "num_kv_heads": 2, "new_decoder_architecture": True,
               "max_position_embeddings": 512}

FALCON = ModelFamily(
    name="falcon",
    architecture="falcon",
    template="falcon",
    variants=(
        # name, hub id, params (billions; the cards' figures), context length, kind, template, licence
        V("falcon-7b", "tiiuae/falcon-7b", 7.0, 2048, "base", None, "apache-2.0"),
        V("falcon-40b", "tiiuae/falcon-40b", 40.0, 2048, "base", None, "apache-2.0"),
        V("falcon-180b", "tiiuae/falcon-180b", 180.0, 2048, "base", None, "falcon-180b-tii-license"),
        V("falcon-7b-instruct", "tiiuae/falcon-7b-instruct", 7.0, 2048, "instruct", None, "apache-2.0"),
        V("falcon-40b-instruct", "tiiuae/falcon-40b-instruct", 40.0, 2048, "instruct", None, "apache-2.0"),
        V("falcon-180b-chat", "tiiuae/falcon-180b-chat", 180.0, 2048, "chat", None, "falcon-180b-tii-license"),
    ),
    lora_targets=FALCON_TARGETS,
    capabilities=FALCON_CAPABILITIES,
    tiny_config=FALCON_TINY,
    license="Apache-2.0 (7B, 40B); Falcon-180B TII License (180B)",
    description="Falcon 7B / 40B / 180B base models and their instruct / chat versions (2K context).",
)

FALCON2 = ModelFamily(
    name="falcon2",
    architecture="falcon",
    template="falcon",
    variants=(
        V("falcon-11b", "tiiuae/falcon-11B", 11.0, 8192, "base", None, "falcon-llm-license-2.0"),
    ),
    lora_targets=FALCON_TARGETS,
    capabilities=FALCON_CAPABILITIES,
    tiny_config=FALCON_TINY,
    license="TII Falcon License 2.0",
    description="Falcon 2 11B base model (over 5T tokens of RefinedWeb, 8K context).",
)

FALCON_H1 = ModelFamily(
    name="falcon-h1",
    architecture="falcon_h1",
    template="falcon-h1",
    variants=(
        # Context lengths: the transformers FalconH1 model card (0.5B: 4K pre-training, 16K after SFT).
        V("falcon-h1-0.5b", "tiiuae/Falcon-H1-0.5B-Base", 0.5, 4096, "base", None, "falcon-llm-license"),
        V("falcon-h1-1.5b", "tiiuae/Falcon-H1-1.5B-Base", 1.5, 131072, "base", None, "falcon-llm-license"),
        # LLaMA-Factory spells this hub id `tiuae/...` (a typo); the organisation is tiiuae.
        V("falcon-h1-1.5b-deep", "tiiuae/Falcon-H1-1.5B-Deep-Base", 1.5, 131072, "base", None, "falcon-llm-license"),
        V("falcon-h1-3b", "tiiuae/Falcon-H1-3B-Base", 3.0, 131072, "base", None, "falcon-llm-license"),
        V("falcon-h1-7b", "tiiuae/Falcon-H1-7B-Base", 7.0, 262144, "base", None, "falcon-llm-license"),
        V("falcon-h1-34b", "tiiuae/Falcon-H1-34B-Base", 34.0, 262144, "base", None, "falcon-llm-license"),
        V("falcon-h1-0.5b-instruct", "tiiuae/Falcon-H1-0.5B-Instruct", 0.5, 16384, "instruct", None,
          "falcon-llm-license"),
        V("falcon-h1-1.5b-instruct", "tiiuae/Falcon-H1-1.5B-Instruct", 1.5, 131072, "instruct", None,
          "falcon-llm-license"),
        V("falcon-h1-1.5b-deep-instruct", "tiiuae/Falcon-H1-1.5B-Deep-Instruct", 1.5, 131072, "instruct", None,
          "falcon-llm-license"),
        V("falcon-h1-3b-instruct", "tiiuae/Falcon-H1-3B-Instruct", 3.0, 131072, "instruct", None, "falcon-llm-license"),
        V("falcon-h1-7b-instruct", "tiiuae/Falcon-H1-7B-Instruct", 7.0, 262144, "instruct", None, "falcon-llm-license"),
        V("falcon-h1-34b-instruct", "tiiuae/Falcon-H1-34B-Instruct", 34.0, 262144, "instruct", None,
          "falcon-llm-license"),
    ),
    # Attention, MLP and the Mamba mixer's input projection (PEFT refuses LoRA on a Mamba `out_proj`).
    lora_targets=("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj", "in_proj"),
    capabilities=Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True),
    tiny_config={"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16, "max_position_embeddings": 512,
                 "mamba_d_ssm": 64, "mamba_n_heads": 4, "mamba_d_head": 16, "mamba_n_groups": 1,
                 "mamba_d_state": 16, "mamba_chunk_size": 16},
    license="TII Falcon-LLM License 2.0",
    description="Falcon-H1 hybrid attention / state-space models, 0.5B to 34B, base and instruct.",
)


@hookimpl
def register_models(register):
    for family in (FALCON, FALCON2, FALCON_H1):
        register(family)
