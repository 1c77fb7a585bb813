"""Pairwise preference datasets on the Hugging Face hub: a prompt with a chosen and a rejected answer.

They serve reward modelling, DPO, ORPO and SimPO. `nectar_rm` and `orca_dpo_de` keep LLaMA-Factory's older layout
(`output` holds [chosen, rejected]) and name no chosen / rejected columns. Licences and sizes are those stated on
each dataset card ("unknown" / None where the card says nothing).
"""

from __future__ import annotations

from tuneforge.core import DatasetSpec, hookimpl

PAIRWISE = ("rm", "dpo", "orpo", "simpo")
SHAREGPT_PAIRS = {"messages": "conversations", "chosen": "chosen", "rejected": "rejected"}

DATASETS = (
    # ---- from LLaMA-Factory's dataset_info.json -----------------------------------------------------------------
    DatasetSpec(
        name="dpo_mix_en",
        format="sharegpt",
        hub_id="llamafactory/DPO-En-Zh-20k",
        subset="en",
        columns=SHAREGPT_PAIRS,
        stages=PAIRWISE,
        languages=("en",),
        license="apache-2.0",
        size=10_000,
        description="English preference pairs mixed from several open DPO sets (English half of DPO-En-Zh-20k)",
    ),
    DatasetSpec(
        name="dpo_mix_zh",
        format="sharegpt",
        hub_id="llamafactory/DPO-En-Zh-20k",
        subset="zh",
        columns=SHAREGPT_PAIRS,
        stages=PAIRWISE,
        languages=("zh",),
        license="apache-2.0",
        size=10_000,
        description="Chinese preference pairs mixed from several open DPO sets (Chinese half of DPO-En-Zh-20k)",
    ),
    DatasetSpec(
        name="ultrafeedback",
        format="alpaca",
        hub_id="llamafactory/ultrafeedback_binarized",
        columns={"prompt": "instruction", "chosen": "chosen", "rejected": "rejected", "query": None},
        stages=PAIRWISE,
        languages=("en",),
        license="mit",
        size=61_100,
        description="UltraFeedback binarised: the best-rated answer against a worse one, as used for Zephyr",
    ),
    DatasetSpec(
        name="coig_p",
        format="sharegpt",
        hub_id="m-a-p/COIG-P",
        columns=SHAREGPT_PAIRS,
        stages=PAIRWISE,
        languages=("zh",),
        size=1_010_000,
        description="COIG-P: a large Chinese preference set scored by LLM judges",
    ),
    DatasetSpec(
        name="rlhf_v",
        format="sharegpt",
        hub_id="llamafactory/RLHF-V",
        columns={**SHAREGPT_PAIRS, "images": "images"},
        stages=PAIRWISE,
        languages=("en",),
        license="cc-by-nc-4.0",
        size=5_730,
        description="RLHF-V: image descriptions with human corrections of hallucinated segments",
    ),
    DatasetSpec(
        name="vlfeedback",
        format="sharegpt",
        hub_id="Zhihui/VLFeedback",
        columns={**SHAREGPT_PAIRS, "images": "images"},
        stages=PAIRWISE,
        languages=("en",),
        size=382_000,
        description="VLFeedback: vision-language answers from 12 models ranked by GPT-4V",
    ),
    DatasetSpec(
        name="rlaif_v",
        format="alpaca",
        hub_id="openbmb/RLAIF-V-Dataset",
        columns={"prompt": "question", "chosen": "chosen", "rejected": "rejected", "images": "image", "query": None},
        stages=PAIRWISE,
        languages=("en",),
        license="cc-by-nc-4.0",
        size=83_000,
        description="RLAIF-V: image questions with answers ranked by open-source AI feedback",
    ),
    DatasetSpec(
        name="orca_pairs",
        format="alpaca",
        hub_id="Intel/orca_dpo_pairs",
        columns={"prompt": "question", "chosen": "chosen", "rejected": "rejected", "system": "system", "query": None},
        stages=PAIRWISE,
        languages=("en",),
        license="apache-2.0",
        size=12_859,
        description="Orca-style questions: a GPT-4 answer chosen over a Llama-2-13B-chat one (Intel neural-chat)",
    ),
    DatasetSpec(
        name="nectar_rm",
        format="alpaca",
        hub_id="AstraMindAI/RLAIF-Nectar",
        stages=PAIRWISE,
        languages=("en",),
        license="cc-by-nc-4.0",
        size=763_000,
        description="Nectar's GPT-4 7-wise rankings as pairs; rows keep LLaMA-Factory's legacy [chosen, rejected] "
        "`output` list",
    ),
    DatasetSpec(
        name="orca_dpo_de",
        format="alpaca",
        hub_id="mayflowergmbh/intel_orca_dpo_pairs_de",
        stages=PAIRWISE,
        languages=("de",),
        license="apache-2.0",
        description="Intel's Orca DPO pairs translated into German; rows keep LLaMA-Factory's legacy "
        "[chosen, rejected] `output` list",
    ),
    # ---- widely used sets beyond LLaMA-Factory's list -------------------------------------------------------------
    DatasetSpec(
        name="orca_dpo_pairs_distilabel",
        format="alpaca",
        hub_id="argilla/distilabel-intel-orca-dpo-pairs",
        columns={"prompt": "input", "chosen": "chosen", "rejected": "rejected", "system": "system", "query": None},
        stages=PAIRWISE,
        languages=("en",),
        license="apache-2.0",
        size=12_859,
        description="Intel's Orca DPO pairs re-rated with distilabel (ties and swapped preferences marked)",
    ),
    DatasetSpec(
        name="truthy_dpo",
        format="alpaca",
        hub_id="jondurbin/truthy-dpo-v0.1",
        columns={"prompt": "prompt", "chosen": "chosen", "rejected": "rejected", "system": "system", "query": None},
        stages=PAIRWISE,
        languages=("en",),
        license="cc-by-4.0",
        size=1_016,
        description="truthy-dpo: pairs that favour truthful, non-anthropomorphising answers",
    ),
    DatasetSpec(
        name="math_preference_dpo",
        format="alpaca",
        hub_id="argilla/distilabel-math-preference-dpo",
        columns={"prompt": "instruction", "chosen": "chosen_response", "rejected": "rejected_response", "query": None},
        stages=PAIRWISE,
        languages=("en",),
        license="apache-2.0",
        size=2_418,
        description="maths questions with a better and a worse answer rated by distilabel",
    ),
)


@hookimpl
def register_datasets(register):
    for spec in DATASETS:
        register(spec)
