"""Multilingual instruction and chat datasets on the Hugging Face hub, and those whose card names no language.

`mul` stands for many languages; an empty `languages` means the card does not say. Licences and sizes are those
stated on each dataset card ("unknown" / None where the card says nothing).
"""

from __future__ import annotations

from tuneforge.core import DatasetSpec, hookimpl

ROLE_CONTENT = {"role_tag": "role", "content_tag": "content", "user_tag": "user", "assistant_tag": "assistant"}

DATASETS = (
    # ---- from LLaMA-Factory's dataset_info.json -----------------------------------------------------------------
    DatasetSpec(
        name="guanaco",
        format="alpaca",
        hub_id="JosephusCheung/GuanacoDataset",
        stages=("sft",),
        languages=("en", "zh", "ja", "de"),
        size=1_170_000,
        description="Guanaco: Alpaca seed tasks rewritten in several languages plus paper / text QA",
    ),
    DatasetSpec(
        name="alpaca_cot",
        format="alpaca",
        hub_id="QingyiSi/Alpaca-CoT",
        stages=("sft",),
        languages=("en", "zh", "ml"),
        license="apache-2.0",
        description="Alpaca-CoT: a large collection of instruction sets (many with chain-of-thought) in one format",
    ),
    DatasetSpec(
        name="sharegpt4",
        format="sharegpt",
        hub_id="shibing624/sharegpt_gpt4",
        stages=("sft",),
        languages=("en", "zh", "mul"),
        license="cc-by-4.0",
        size=103_000,
        description="multi-turn ShareGPT conversations with GPT-4, in several languages",
    ),
    DatasetSpec(
        name="infinity_instruct",
        format="sharegpt",
        hub_id="BAAI/Infinity-Instruct",
        stages=("sft",),
        languages=("en", "zh"),
        license="cc-by-sa-4.0",
        description="BAAI Infinity-Instruct: millions of selected and synthesised instructions (gated; several "
        "subsets such as 3M, 7M, Gen)",
    ),
    DatasetSpec(
        name="lmsys_chat",
        format="sharegpt",
        hub_id="lmsys/lmsys-chat-1m",
        columns={"messages": "conversation"},
        tags=ROLE_CONTENT,
        stages=("sft",),
        languages=("mul",),
        license="other",
        size=1_000_000,
        description="one million real conversations with 25 LLMs from Chatbot Arena (gated, LMSYS-Chat-1M licence)",
    ),
    DatasetSpec(
        name="neo_sft",
        format="sharegpt",
        hub_id="m-a-p/neo_sft_phase2",
        stages=("sft",),
        languages=(),
        size=109_000,
        description="the second-stage SFT conversations of MAP-Neo 7B",
    ),
    DatasetSpec(
        name="sgsc_b2b_entities",
        format="sharegpt",
        hub_id="Nooxus-AI/NOO-Verified-Global-Entities",
        columns={"messages": "messages"},
        stages=("sft",),
        languages=(),
        description="conversations about verified business entities (Nooxus AI); no card information found",
    ),
    DatasetSpec(
        name="dlr_web",
        format="alpaca",
        hub_id="Attention1115/DLR-Web",
        split="full",
        columns={"prompt": "question", "response": "response", "query": None},
        stages=("sft", "ppo"),
        languages=(),
        size=1_670_000,
        description="DLR-Web question / response pairs built from web documents (split `full`)",
    ),
    # ---- widely used sets beyond LLaMA-Factory's list -------------------------------------------------------------
    DatasetSpec(
        name="aya_dataset",
        format="alpaca",
        hub_id="CohereForAI/aya_dataset",
        columns={"prompt": "inputs", "response": "targets", "query": None},
        stages=("sft", "ppo"),
        languages=("mul",),
        license="apache-2.0",
        size=202_362,
        description="Aya: human-written prompts and completions in 65 languages from a global annotator community",
    ),
    DatasetSpec(
        name="wildchat_1m",
        format="sharegpt",
        hub_id="allenai/WildChat-1M",
        # Turns carry metadata (country, timestamp, toxic ...) beside role and content, which sharegpt ignores.
        columns={"messages": "conversation"},
        tags=ROLE_CONTENT,
        stages=("sft",),
        languages=("mul",),
        license="odc-by",
        size=838_000,
        description="WildChat: real user conversations with ChatGPT and GPT-4, collected with consent",
    ),
)


@hookimpl
def register_datasets(register):
    for spec in DATASETS:
        register(spec)
