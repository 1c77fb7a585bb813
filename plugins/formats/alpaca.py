"""The alpaca format: one instruction (+ optional input) and its output per row, with LLaMA-Factory's column names.

instruction and input join with a newline into the user turn, output is the assistant's answer; an optional
system prompt and history of [prompt, response] pairs come before. Mapping `chosen` / `rejected` makes preference
records, mapping `kto_tag` makes KTO records.
"""

from __future__ import annotations

from typing import Any, Mapping

from tuneforge.core import DatasetFormat, Message, Record, hookimpl
from tuneforge.core.data import (
    checked_media,
    column,
    json_column,
    kto_label,
    media_column,
    text_column,
    tools_column,
)

# Logical column -> column name in the file. Optional columns (system, history, tools, media) are simply absent
# from most rows; chosen / rejected / kto_tag have no default because mapping them is what selects the record kind.
COLUMNS = {
    "prompt": "instruction",
    "query": "input",
    "response": "output",
    "system": "system",
    "history": "history",
    "tools": "tools",
    "images": "images",
    "videos": "videos",
    "audios": "audios",
}


def align_alpaca(row: Mapping[str, Any], columns: Mapping[str, str], tags: Mapping[str, str]) -> Record:
    messages = []
    system = text_column(row, columns, "system")
    if system and system.strip():
        messages.append(Message("system", system))
    messages += _history(row, columns)

    instruction = text_column(row, columns, "prompt", required=True)
    query = text_column(row, columns, "query") or ""
    prompt = "\n".join(part for part in (instruction, query) if part)
    if not prompt.strip():
        raise ValueError(f"empty prompt: `{columns['prompt']}` and `{columns.get('query', 'input')}` are both empty")
    messages.append(Message("user", prompt))

    extra = dict(
        tools=tools_column(row, columns),
        images=media_column(row, columns, "images"),
        videos=media_column(row, columns, "videos"),
        audios=media_column(row, columns, "audios"),
    )
    if "chosen" in columns or "rejected" in columns:
        return checked_media(
            Record(
                messages=tuple(messages),
                chosen=Message("assistant", _answer(row, columns, "chosen")),
                rejected=Message("assistant", _answer(row, columns, "rejected")),
                **extra,
            )
        )
    legacy = column(row, columns, "response", required=True)
    if isinstance(legacy, list):
        # LLaMA-Factory's older ranking layout: the response column holds [chosen, rejected].
        if len(legacy) != 2 or not all(isinstance(text, str) and text.strip() for text in legacy):
            raise ValueError(f"column `{columns['response']}` holds a list: the preference layout needs exactly "
                             "[chosen, rejected], two non-empty strings")
        return checked_media(Record(messages=tuple(messages), chosen=Message("assistant", legacy[0]),
                                    rejected=Message("assistant", legacy[1]), **extra))
    messages.append(Message("assistant", _answer(row, columns, "response")))
    label = None
    if "kto_tag" in columns:
        label = kto_label(column(row, columns, "kto_tag", required=True), columns["kto_tag"])
    return checked_media(Record(messages=tuple(messages), kto_label=label, **extra))


def _answer(row: Mapping[str, Any], columns: Mapping[str, str], key: str) -> str:
    text = text_column(row, columns, key, required=True)
    if not text.strip():
        raise ValueError(f"column `{columns[key]}` is empty")
    return text


def _history(row: Mapping[str, Any], columns: Mapping[str, str]) -> list[Message]:
    history = json_column(row, columns, "history")
    if history is None:
        return []
    if not isinstance(history, list):
        raise ValueError(f"column `{columns['history']}` must be a list of [prompt, response] pairs")
    messages = []
    for number, pair in enumerate(history, start=1):
        if not (
            isinstance(pair, (list, tuple))
            and len(pair) == 2
            and all(isinstance(text, str) and text.strip() for text in pair)
        ):
            raise ValueError(f"history item {number} must be a [prompt, response] pair of non-empty strings")
        messages += [Message("user", pair[0]), Message("assistant", pair[1])]
    return messages


def looks_like_alpaca(row: Mapping[str, Any]) -> bool:
    return isinstance(row.get("instruction"), str) and "output" in row


ALPACA = DatasetFormat(
    name="alpaca",
    align=align_alpaca,
    produces=("conversation", "preference", "kto"),
    columns=COLUMNS,
    detect=looks_like_alpaca,
    description="instruction / input / output rows (Stanford Alpaca, LLaMA-Factory); optional system and history",
)


@hookimpl
def register_dataset_formats(register):
    register(ALPACA)
