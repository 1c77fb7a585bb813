"""The text format: one document per row in a `text` column, for pretraining (LLaMA-Factory's c4 / wiki demos).

A .txt file reads as one `text` row per non-blank line. The column can be mapped (`columns: {text: content}`);
LLaMA-Factory's `dataset_info.json` spells that `"columns": {"prompt": "content"}`, which its index reader turns
into this format. A row whose text is empty or only whitespace is a bad row: it would train on nothing.
"""

from __future__ import annotations

from typing import Any, Mapping

from tuneforge.core import DatasetFormat, Record, hookimpl
from tuneforge.core.data import text_column

COLUMNS = {"text": "text"}

# Columns that make a row a conversation or an instruction, even when it also has a `text` column (the Alpaca
# dataset on the hub keeps its rendered prompt in `text`): such rows belong to the conversation formats.
CONVERSATION_COLUMNS = ("instruction", "output", "conversations", "messages", "chosen", "rejected", "prompt")


def align_text(row: Mapping[str, Any], columns: Mapping[str, str], tags: Mapping[str, str]) -> Record:
    text = text_column(row, columns, "text", required=True)
    if not text.strip():
        raise ValueError(f"column `{columns['text']}` is empty")
    return Record(text=text)


def looks_like_text(row: Mapping[str, Any]) -> bool:
    return isinstance(row.get("text"), str) and not any(name in row for name in CONVERSATION_COLUMNS)


TEXT = DatasetFormat(
    name="text",
    align=align_text,
    produces=("text",),
    columns=COLUMNS,
    detect=looks_like_text,
    description="plain documents in a `text` column, or the lines of a .txt file, for pretraining",
)


@hookimpl
def register_dataset_formats(register):
    register(TEXT)
