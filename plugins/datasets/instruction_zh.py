"""Chinese instruction datasets on the Hugging Face hub, for supervised fine-tuning (all from LLaMA-Factory's list).

Licences and sizes are those stated on each dataset card ("unknown" / None where the card says nothing).
"""

from __future__ import annotations

from tuneforge.core import DatasetSpec, hookimpl

DATASETS = (
    DatasetSpec(
        name="alpaca_zh",
        format="alpaca",
        hub_id="llamafactory/alpaca_zh",
        stages=("sft", "ppo"),
        languages=("zh",),
        license="apache-2.0",
        size=51_000,
        description="the Alpaca data translated into Chinese (hfl/alpaca_zh_51k), empty answers removed",
    ),
    DatasetSpec(
        name="alpaca_gpt4_zh",
        format="alpaca",
        hub_id="llamafactory/alpaca_gpt4_zh",
        stages=("sft", "ppo"),
        languages=("zh",),
        license="apache-2.0",
        description="Chinese Alpaca prompts answered by GPT-4, 6,103 truncated answers removed",
    ),
    DatasetSpec(
        name="belle_2m",
        format="alpaca",
        hub_id="BelleGroup/train_2M_CN",
        stages=("sft", "ppo"),
        languages=("zh",),
        license="gpl-3.0",
        size=2_000_000,
        description="BELLE: two million Chinese instructions generated with ChatGPT",
    ),
    DatasetSpec(
        name="belle_1m",
        format="alpaca",
        hub_id="BelleGroup/train_1M_CN",
        stages=("sft", "ppo"),
        languages=("zh",),
        license="gpl-3.0",
        description="BELLE: about one million Chinese instructions generated with ChatGPT",
    ),
    DatasetSpec(
        name="belle_0.5m",
        format="alpaca",
        hub_id="BelleGroup/train_0.5M_CN",
        stages=("sft", "ppo"),
        languages=("zh",),
        license="gpl-3.0",
        size=519_000,
        description="BELLE: half a million Chinese instructions generated with ChatGPT",
    ),
    DatasetSpec(
        name="belle_dialog",
        format="alpaca",
        hub_id="BelleGroup/generated_chat_0.4M",
        stages=("sft",),
        languages=("zh",),
        license="gpl-3.0",
        size=396_000,
        description="BELLE: generated role-play conversations given a persona, as instruction / output",
    ),
    DatasetSpec(
        name="firefly",
        format="alpaca",
        hub_id="YeungNLP/firefly-train-1.1M",
        columns={"prompt": "input", "response": "target", "query": None},
        stages=("sft", "ppo"),
        languages=("zh",),
        size=1_650_000,
        description="Firefly: templated Chinese NLP tasks and culture-themed instructions",
    ),
    DatasetSpec(
        name="webqa",
        format="alpaca",
        hub_id="suolyer/webqa",
        columns={"prompt": "input", "response": "output", "query": None},
        stages=("sft", "ppo"),
        languages=("zh",),
        license="apache-2.0",
        size=42_200,
        description="Chinese web question answering (WebQA) as prompt / answer pairs",
    ),
    DatasetSpec(
        name="webnovel",
        format="alpaca",
        hub_id="zxbsmk/webnovel_cn",
        stages=("sft",),
        languages=("zh",),
        license="mit",
        size=50_000,
        description="continuation tasks cut from Chinese web novels",
    ),
    DatasetSpec(
        name="adgen_train",
        format="alpaca",
        hub_id="HasturOfficial/adgen",
        split="train",
        columns={"prompt": "content", "response": "summary", "query": None},
        stages=("sft",),
        languages=("zh",),
        size=114_000,
        description="AdvertiseGen: product attributes to Chinese advertising copy (training split)",
    ),
    DatasetSpec(
        name="adgen_eval",
        format="alpaca",
        hub_id="HasturOfficial/adgen",
        split="validation",
        columns={"prompt": "content", "response": "summary", "query": None},
        stages=("sft",),
        languages=("zh",),
        size=1_070,
        description="AdvertiseGen: product attributes to Chinese advertising copy (validation split)",
    ),
    DatasetSpec(
        name="stem_zh",
        format="alpaca",
        hub_id="hfl/stem_zh_instruction",
        stages=("sft", "ppo"),
        languages=("zh",),
        license="apache-2.0",
        description="Chinese STEM instructions (physics, chemistry, biology, medicine, maths) answered by GPT",
    ),
    DatasetSpec(
        name="ruozhiba_gpt4",
        format="alpaca",
        hub_id="hfl/ruozhiba_gpt4_turbo",
        stages=("sft", "ppo"),
        languages=("zh",),
        license="apache-2.0",
        size=2_449,
        description="tricky Ruozhiba forum questions answered by GPT-4 Turbo (may contain offensive wording)",
    ),
)


@hookimpl
def register_datasets(register):
    for spec in DATASETS:
        register(spec)
