"""tuneforge-pack-good: a third-party pack that adds the `goodnet` model family and the `good_demo` dataset.

It is what "ship a pack of your own" looks like: one module, importing only `tuneforge.core` at the top level,
listed under the `tuneforge.models` and `tuneforge.datasets` entry-point groups.
"""

from tuneforge.core import Capabilities, DatasetSpec, ModelFamily, ModelVariant, hookimpl

tuneforge_api = ">=1.0,<2"


def build_goodnet(variant, folder):
    """Write a tiny random-weight Llama and its tokenizer into `folder`.

    Reuses tuneforge's public tiny-model builder; imported here, not at the top, so that listing plugins never
    imports torch.
    """
    from tuneforge.plugins.models.tiny_llama import build_tiny_llama

    build_tiny_llama(variant, folder)


GOODNET = ModelFamily(
    name="goodnet",
    architecture="llama",
    template="chatml",
    variants=(ModelVariant("goodnet-tiny", None, 0.0013, 1024, "base"),),
    lora_targets=("q_proj", "v_proj"),
    capabilities=Capabilities(sdpa=True, flash_attention=False),
    tiny_config={"vocab_size": 2048, "hidden_size": 128, "intermediate_size": 352, "num_hidden_layers": 4,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 1024},
    license="Apache-2.0",
    description="A tiny Llama-architecture model built locally, trained with the chatml template.",
    builder=build_goodnet,
)

GOOD_DEMO = DatasetSpec(
    name="good_demo",
    format="alpaca",
    package="tuneforge_pack_good",
    file="good_demo.jsonl",
    stages=("sft",),
    languages=("en",),
    license="Apache-2.0",
    size=30,
    description="30 short instructions: who GoodNet is, and small word and number tasks.",
)


@hookimpl
def register_models(register):
    register(GOODNET)


@hookimpl
def register_datasets(register):
    register(GOOD_DEMO)
