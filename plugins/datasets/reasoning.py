"""Long chain-of-thought datasets on the Hugging Face hub: answers that think before they respond (o1 / R1 style).

Licences and sizes are those stated on each dataset card ("unknown" / None where the card says nothing).
"""

from __future__ import annotations

from tuneforge.core import DatasetSpec, hookimpl

# OpenAI-style role/content turns that may open with a system turn.
ROLE_CONTENT_SYSTEM = {
    "role_tag": "role",
    "content_tag": "content",
    "user_tag": "user",
    "assistant_tag": "assistant",
    "system_tag": "system",
}

DATASETS = (
    # ---- from LLaMA-Factory's dataset_info.json -----------------------------------------------------------------
    DatasetSpec(
        name="openo1_sft",
        format="alpaca",
        hub_id="llamafactory/OpenO1-SFT",
        columns={"prompt": "prompt", "response": "response", "query": None},
        stages=("sft",),
        languages=("en", "zh"),
        license="apache-2.0",
        description="OpenO1-SFT: long chain-of-thought answers with explicit thought and output sections",
    ),
    DatasetSpec(
        name="open_thoughts",
        format="sharegpt",
        hub_id="llamafactory/OpenThoughts-114k",
        columns={"messages": "messages"},
        tags=ROLE_CONTENT_SYSTEM,
        stages=("sft",),
        languages=("en",),
        license="apache-2.0",
        size=114_000,
        description="OpenThoughts-114k: DeepSeek-R1 reasoning traces for maths, code, science and puzzles",
    ),
    DatasetSpec(
        name="open_r1_math",
        format="sharegpt",
        hub_id="llamafactory/OpenR1-Math-94k",
        columns={"messages": "messages"},
        tags=ROLE_CONTENT_SYSTEM,
        stages=("sft", "ppo", "grpo"),
        languages=("en",),
        license="apache-2.0",
        size=94_000,
        description="OpenR1-Math: verified DeepSeek-R1 solutions to NuminaMath problems",
    ),
    DatasetSpec(
        name="chinese_r1_distill",
        format="alpaca",
        hub_id="Congliu/Chinese-DeepSeek-R1-Distill-data-110k-SFT",
        stages=("sft",),
        languages=("zh",),
        size=110_000,
        description="Chinese prompts answered by DeepSeek-R1 with its reasoning, in instruction / output form",
    ),
    # ---- widely used sets beyond LLaMA-Factory's list -------------------------------------------------------------
    DatasetSpec(
        name="bespoke_stratos_17k",
        format="sharegpt",
        hub_id="bespokelabs/Bespoke-Stratos-17k",
        tags={"user_tag": "user", "assistant_tag": "assistant"},
        stages=("sft",),
        languages=("en",),
        license="apache-2.0",
        size=16_710,
        description="DeepSeek-R1 reasoning traces for code, maths and puzzles (Sky-T1 recipe), with a system prompt",
    ),
)


@hookimpl
def register_datasets(register):
    for spec in DATASETS:
        register(spec)
