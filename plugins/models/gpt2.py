"""OpenAI GPT-2 (model_type `gpt2`): small / medium / large / XL base models, 1,024-token context. No chat format
(`empty`, as LLaMA-Factory uses when its GPT-2 group names no template).

GPT-2's projections are transformers `Conv1D` modules (weights stored transposed), not `nn.Linear`, so the targets
are left empty: "all linear layers except the output head", which peft resolves to c_attn, c_proj and c_fc.
"""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant

GPT2 = ModelFamily(
    name="gpt2",
    architecture="gpt2",
    template="empty",
    variants=(
        # name, hub id, params (billions), context length, kind, template (None: the family default), licence
        V("gpt2", "openai-community/gpt2", 0.124, 1024, "base"),
        V("gpt2-medium", "openai-community/gpt2-medium", 0.355, 1024, "base"),
        V("gpt2-large", "openai-community/gpt2-large", 0.774, 1024, "base"),
        V("gpt2-xl", "openai-community/gpt2-xl", 1.5, 1024, "base"),
    ),
    lora_targets=(),
    capabilities=Capabilities(sdpa=True, flash_attention=True, gradient_checkpointing=True, quantization=True),
    tiny_config={"vocab_size": 512, "n_embd": 64, "n_inner": 128, "n_layer": 2, "n_head": 4, "n_positions": 512,
                 "bos_token_id": 0, "eos_token_id": 0},
    license="mit",
    description="GPT-2 124M / 355M / 774M / 1.5B base models trained on WebText.",
)


@hookimpl
def register_models(register):
    register(GPT2)
