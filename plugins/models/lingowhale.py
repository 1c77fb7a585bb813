"""DeepLang LingoWhale-8B (model_type `lingowhale`, remote code): a bilingual base model with no chat format."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

V = ModelVariant

LINGOWHALE = ModelFamily(
    name="lingowhale",
    architecture="lingowhale",
    template="empty",
    variants=(
        # name, hub id, params (billions, from config.json shapes), context length, kind, template, licence
        V("lingowhale-8b", "deeplang-ai/LingoWhale-8B", 8.07, 8192, "base", None, "other"),
    ),
    # Its modelling code was not inspected: LoRA goes on every linear layer but the output head.
    lora_targets=(),
    capabilities=Capabilities(sdpa=False, flash_attention=False, gradient_checkpointing=False, quantization=True,
                              trust_remote_code=True),
    tiny_config={"vocab_size": 512, "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "max_position_embeddings": 512},
    license="LingoWhale model license (MODEL_LICENSE.md in the repository)",
    description="LingoWhale-8B Chinese / English base model; remote code.",
)


@hookimpl
def register_models(register):
    register(LINGOWHALE)
