"""Image-text datasets on the Hugging Face hub, for fine-tuning vision-language models (all from LLaMA-Factory's list).

Turns hold `<image>` placeholders and an `images` column holds the pictures. Licences and sizes are those stated on
each dataset card ("unknown" / None where the card says nothing).
"""

from __future__ import annotations

from tuneforge.core import DatasetSpec, hookimpl

ROLE_CONTENT = {"role_tag": "role", "content_tag": "content", "user_tag": "user", "assistant_tag": "assistant"}
MESSAGES_IMAGES = {"messages": "messages", "images": "images"}

DATASETS = (
    DatasetSpec(
        name="llava_1k_en",
        format="sharegpt",
        hub_id="BUAADreamer/llava-en-zh-2k",
        subset="en",
        columns=MESSAGES_IMAGES,
        tags=ROLE_CONTENT,
        stages=("sft",),
        languages=("en",),
        license="apache-2.0",
        size=1_000,
        description="a thousand LLaVA-Instruct conversations about COCO images (English subset)",
    ),
    DatasetSpec(
        name="llava_1k_zh",
        format="sharegpt",
        hub_id="BUAADreamer/llava-en-zh-2k",
        subset="zh",
        columns=MESSAGES_IMAGES,
        tags=ROLE_CONTENT,
        stages=("sft",),
        languages=("zh",),
        license="apache-2.0",
        size=1_000,
        description="a thousand LLaVA-Instruct conversations about COCO images (Chinese subset)",
    ),
    DatasetSpec(
        name="llava_150k_en",
        format="sharegpt",
        hub_id="BUAADreamer/llava-en-zh-300k",
        subset="en",
        columns=MESSAGES_IMAGES,
        tags=ROLE_CONTENT,
        stages=("sft",),
        languages=("en",),
        license="apache-2.0",
        size=158_000,
        description="LLaVA-Instruct-150K conversations about COCO images (English subset)",
    ),
    DatasetSpec(
        name="llava_150k_zh",
        format="sharegpt",
        hub_id="BUAADreamer/llava-en-zh-300k",
        subset="zh",
        columns=MESSAGES_IMAGES,
        tags=ROLE_CONTENT,
        stages=("sft",),
        languages=("zh",),
        license="apache-2.0",
        size=158_000,
        description="LLaVA-Instruct-150K conversations about COCO images, translated into Chinese",
    ),
    DatasetSpec(
        name="pokemon_cap",
        format="sharegpt",
        hub_id="llamafactory/pokemon-gpt4o-captions",
        columns={"messages": "conversations", "images": "images"},
        stages=("sft",),
        languages=("en", "zh"),
        license="apache-2.0",
        size=1_670,
        description="Pokémon pictures with GPT-4o captions in English and Chinese",
    ),
    DatasetSpec(
        name="mllm_pt_demo",
        format="sharegpt",
        hub_id="BUAADreamer/mllm_pt_demo",
        columns=MESSAGES_IMAGES,
        tags=ROLE_CONTENT,
        stages=("sft",),
        languages=("zh", "en"),
        license="apache-2.0",
        description="a tiny image-caption demo for multimodal alignment (pre-training style) runs",
    ),
)


@hookimpl
def register_datasets(register):
    for spec in DATASETS:
        register(spec)
