"""KTO datasets on the Hugging Face hub: single answers labelled desirable or undesirable (all from LLaMA-Factory).

Licences and sizes are those stated on each dataset card ("unknown" / None where the card says nothing).
"""

from __future__ import annotations

from tuneforge.core import DatasetSpec, hookimpl

DATASETS = (
    DatasetSpec(
        name="kto_mix_en",
        format="sharegpt",
        hub_id="argilla/kto-mix-15k",
        columns={"messages": "completion", "kto_tag": "label"},
        tags={"role_tag": "role", "content_tag": "content", "user_tag": "user", "assistant_tag": "assistant"},
        stages=("kto",),
        languages=("en",),
        license="mit",
        size=15_000,
        description="Argilla's DPO mix turned into KTO signals: highly rated answers desirable, the rest not",
    ),
    DatasetSpec(
        name="ultrafeedback_kto",
        format="alpaca",
        hub_id="argilla/ultrafeedback-binarized-preferences-cleaned-kto",
        columns={"prompt": "prompt", "response": "completion", "kto_tag": "label", "query": None},
        stages=("kto",),
        languages=("en",),
        license="mit",
        description="cleaned UltraFeedback pairs split into one desirable and one undesirable answer each",
    ),
)


@hookimpl
def register_datasets(register):
    for spec in DATASETS:
        register(spec)
