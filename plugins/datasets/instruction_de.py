"""German instruction datasets on the Hugging Face hub (Mayflower GmbH's translations), for supervised fine-tuning.

All are alpaca rows as LLaMA-Factory lists them. The cards state no licence, and most no size; the licence of each
English original still applies to its translation.
"""

from __future__ import annotations

from tuneforge.core import DatasetSpec, hookimpl

DATASETS = (
    DatasetSpec(
        name="oasst_de",
        format="alpaca",
        hub_id="mayflowergmbh/oasst_de",
        stages=("sft",),
        languages=("de",),
        description="OpenAssistant conversations, translated into German",
    ),
    DatasetSpec(
        name="dolly_15k_de",
        format="alpaca",
        hub_id="mayflowergmbh/dolly-15k_de",
        stages=("sft", "ppo"),
        languages=("de",),
        size=15_000,
        description="Databricks Dolly 15k, translated into German",
    ),
    DatasetSpec(
        name="alpaca-gpt4_de",
        format="alpaca",
        hub_id="mayflowergmbh/alpaca-gpt4_de",
        stages=("sft", "ppo"),
        languages=("de",),
        size=50_000,
        description="Alpaca GPT-4, translated into German",
    ),
    DatasetSpec(
        name="openschnabeltier_de",
        format="alpaca",
        hub_id="mayflowergmbh/openschnabeltier_de",
        stages=("sft",),
        languages=("de",),
        description="OpenSchnabeltier: the OpenPlatypus data translated into German",
    ),
    DatasetSpec(
        name="evol_instruct_de",
        format="alpaca",
        hub_id="mayflowergmbh/evol-instruct_de",
        stages=("sft",),
        languages=("de",),
        description="WizardLM Evol-Instruct, translated into German",
    ),
    DatasetSpec(
        name="dolphin_de",
        format="alpaca",
        hub_id="mayflowergmbh/dolphin_de",
        stages=("sft",),
        languages=("de",),
        description="Dolphin (Orca-style explanations), translated into German",
    ),
    DatasetSpec(
        name="booksum_de",
        format="alpaca",
        hub_id="mayflowergmbh/booksum_de",
        stages=("sft",),
        languages=("de",),
        description="BookSum chapter summarisation, translated into German",
    ),
    DatasetSpec(
        name="airoboros_de",
        format="alpaca",
        hub_id="mayflowergmbh/airoboros-3.0_de",
        stages=("sft",),
        languages=("de",),
        description="Airoboros 3.0 synthetic instructions, translated into German",
    ),
    DatasetSpec(
        name="ultrachat_de",
        format="alpaca",
        hub_id="mayflowergmbh/ultra-chat_de",
        stages=("sft",),
        languages=("de",),
        description="UltraChat dialogues, translated into German",
    ),
)


@hookimpl
def register_datasets(register):
    for spec in DATASETS:
        register(spec)
