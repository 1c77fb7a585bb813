"""Function-calling and agent datasets on the Hugging Face hub: sharegpt turns with function_call / observation roles.

Licences and sizes are those stated on each dataset card ("unknown" / None where the card says nothing).
"""

from __future__ import annotations

from tuneforge.core import DatasetSpec, hookimpl

DATASETS = (
    DatasetSpec(
        name="glaive_toolcall_en",
        format="sharegpt",
        hub_id="llamafactory/glaive_toolcall_en",
        columns={"messages": "conversations", "tools": "tools"},
        stages=("sft",),
        languages=("en",),
        license="apache-2.0",
        size=1_000,
        description="a thousand Glaive function-calling conversations with their tool schemas",
    ),
    DatasetSpec(
        name="glaive_toolcall_zh",
        format="sharegpt",
        hub_id="llamafactory/glaive_toolcall_zh",
        columns={"messages": "conversations", "tools": "tools"},
        stages=("sft",),
        languages=("zh",),
        license="apache-2.0",
        size=1_000,
        description="a thousand Glaive function-calling conversations translated into Chinese by GPT-3.5",
    ),
    DatasetSpec(
        name="glaive_toolcall_100k",
        format="sharegpt",
        hub_id="hiyouga/glaive-function-calling-v2-sharegpt",
        columns={"messages": "conversations", "tools": "tools"},
        stages=("sft",),
        languages=("en",),
        license="apache-2.0",
        size=113_000,
        description="glaive-function-calling-v2 converted to sharegpt turns with separate tool schemas",
    ),
    DatasetSpec(
        name="agent_instruct",
        format="sharegpt",
        hub_id="THUDM/AgentInstruct",
        # The repository has no `train` split: one split per environment, concatenated here.
        split="os+db+alfworld+webshop+kg+mind2web",
        stages=("sft",),
        languages=("en",),
        size=1_866,
        description="AgentTuning trajectories in six environments (OS, database, ALFWorld, WebShop, KG, Mind2Web)",
    ),
)


@hookimpl
def register_datasets(register):
    for spec in DATASETS:
        register(spec)
