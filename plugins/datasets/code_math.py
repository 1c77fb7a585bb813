"""Code and mathematics instruction datasets on the Hugging Face hub.

Maths sets with reference answers also serve the online RL stages (their prompts, and the answers for rewards).
Licences and sizes are those stated on each dataset card ("unknown" / None where the card says nothing).
"""

from __future__ import annotations

from tuneforge.core import DatasetSpec, hookimpl

DATASETS = (
    # ---- from LLaMA-Factory's dataset_info.json -----------------------------------------------------------------
    DatasetSpec(
        name="codealpaca",
        format="alpaca",
        hub_id="sahil2801/CodeAlpaca-20k",
        stages=("sft", "ppo"),
        languages=("en",),
        license="cc-by-4.0",
        size=20_000,
        description="Code Alpaca: self-instruct programming tasks and solutions",
    ),
    DatasetSpec(
        name="mathinstruct",
        format="alpaca",
        hub_id="TIGER-Lab/MathInstruct",
        columns={"prompt": "instruction", "response": "output", "query": None},
        stages=("sft", "ppo", "grpo"),
        languages=("en",),
        license="mit",
        size=262_000,
        description="MathInstruct (MAmmoTH): chain-of-thought and program-of-thought rationales from 13 sources",
    ),
    DatasetSpec(
        name="belle_math",
        format="alpaca",
        hub_id="BelleGroup/school_math_0.25M",
        stages=("sft", "ppo", "grpo"),
        languages=("zh",),
        license="gpl-3.0",
        size=248_000,
        description="BELLE: Chinese school maths word problems with step-by-step solutions",
    ),
    # ---- widely used sets beyond LLaMA-Factory's list -------------------------------------------------------------
    DatasetSpec(
        name="metamathqa",
        format="alpaca",
        hub_id="meta-math/MetaMathQA",
        columns={"prompt": "query", "response": "response", "query": None},
        stages=("sft", "ppo", "grpo"),
        languages=("en",),
        license="mit",
        size=395_000,
        description="MetaMathQA: GSM8K and MATH questions bootstrapped by rephrasing and backward reasoning",
    ),
    DatasetSpec(
        name="orca_math_200k",
        format="alpaca",
        hub_id="microsoft/orca-math-word-problems-200k",
        columns={"prompt": "question", "response": "answer", "query": None},
        stages=("sft", "ppo", "grpo"),
        languages=("en",),
        license="mit",
        size=200_035,
        description="Orca-Math: 200k grade-school maths word problems with GPT-4 Turbo solutions",
    ),
    DatasetSpec(
        name="codefeedback",
        format="alpaca",
        hub_id="m-a-p/CodeFeedback-Filtered-Instruction",
        columns={"prompt": "query", "response": "answer", "query": None},
        stages=("sft", "ppo"),
        languages=("en",),
        license="apache-2.0",
        size=156_526,
        description="OpenCodeInterpreter's filtered code instructions with GPT-4 answers",
    ),
    DatasetSpec(
        name="gsm8k",
        format="alpaca",
        hub_id="openai/gsm8k",
        subset="main",
        columns={"prompt": "question", "response": "answer", "query": None},
        stages=("sft", "ppo", "grpo"),
        languages=("en",),
        license="mit",
        size=7_473,
        description="GSM8K: grade-school maths word problems with worked solutions ending in `#### answer`",
    ),
    DatasetSpec(
        name="numinamath_cot",
        format="alpaca",
        hub_id="AI-MO/NuminaMath-CoT",
        columns={"prompt": "problem", "response": "solution", "query": None},
        stages=("sft", "ppo", "grpo"),
        languages=("en",),
        license="apache-2.0",
        size=859_494,
        description="NuminaMath-CoT: competition and school maths problems with chain-of-thought solutions",
    ),
    DatasetSpec(
        name="numinamath_tir",
        format="alpaca",
        hub_id="AI-MO/NuminaMath-TIR",
        columns={"prompt": "problem", "response": "solution", "query": None},
        stages=("sft", "ppo", "grpo"),
        languages=("en",),
        license="apache-2.0",
        size=72_441,
        description="NuminaMath-TIR: maths problems solved with tool-integrated (Python) reasoning",
    ),
    DatasetSpec(
        name="openmathinstruct2",
        format="alpaca",
        hub_id="nvidia/OpenMathInstruct-2",
        columns={"prompt": "problem", "response": "generated_solution", "query": None},
        stages=("sft", "ppo", "grpo"),
        languages=("en",),
        license="cc-by-4.0",
        size=14_000_000,
        description="OpenMathInstruct-2: synthetic maths problems and Llama 3.1 405B solutions",
    ),
    DatasetSpec(
        name="magicoder_oss_75k",
        format="alpaca",
        hub_id="ise-uiuc/Magicoder-OSS-Instruct-75K",
        columns={"prompt": "problem", "response": "solution", "query": None},
        stages=("sft", "ppo"),
        languages=("en",),
        license="mit",
        size=75_197,
        description="Magicoder OSS-Instruct: coding problems inspired by open-source code snippets",
    ),
    DatasetSpec(
        name="magicoder_evol_110k",
        format="alpaca",
        hub_id="ise-uiuc/Magicoder-Evol-Instruct-110K",
        columns={"prompt": "instruction", "response": "response", "query": None},
        stages=("sft", "ppo"),
        languages=("en",),
        license="mit",
        size=111_183,
        description="Magicoder's decontaminated Evol-Instruct coding data",
    ),
)


@hookimpl
def register_datasets(register):
    for spec in DATASETS:
        register(spec)
