"""EleutherAI Pythia (model_type `gpt_neox`): the eight-size scaling suite trained on the Pile in the same order,
2,048-token context, for interpretability research. Base models only: `empty` template.

Sizes are the suite's names (70M ... 12B); the deduplicated-Pile twins (`-deduped`) share the architecture and are
not listed.
"""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant

PYTHIA = ModelFamily(
    name="pythia",
    architecture="gpt_neox",
    template="empty",
    variants=(
        # name, hub id, params (billions), context length, kind, template (None: the family default), licence
        V("pythia-70m", "EleutherAI/pythia-70m", 0.07, 2048, "base"),
        V("pythia-160m", "EleutherAI/pythia-160m", 0.16, 2048, "base"),
        V("pythia-410m", "EleutherAI/pythia-410m", 0.41, 2048, "base"),
        V("pythia-1b", "EleutherAI/pythia-1b", 1.0, 2048, "base"),
        V("pythia-1.4b", "EleutherAI/pythia-1.4b", 1.4, 2048, "base"),
        V("pythia-2.8b", "EleutherAI/pythia-2.8b", 2.8, 2048, "base"),
        V("pythia-6.9b", "EleutherAI/pythia-6.9b", 6.9, 2048, "base"),
        V("pythia-12b", "EleutherAI/pythia-12b", 12.0, 2048, "base"),
    ),
    # Fused query/key/value, attention output (`dense`) and the GELU MLP.
    lora_targets=("query_key_value", "dense", "dense_h_to_4h", "dense_4h_to_h"),
    capabilities=Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True),
    tiny_config={"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "max_position_embeddings": 512, "bos_token_id": 0, "eos_token_id": 0},
    license="apache-2.0",
    description="Pythia scaling suite 70M to 12B (GPT-NeoX), trained on the Pile; research base models.",
)


@hookimpl
def register_models(register):
    register(PYTHIA)
