"""Batch collation for encoded rows (`input_ids`, `labels`)."""

from __future__ import annotations

from typing import Any

IGNORE_INDEX = -100


class PaddingCollator:
    """Right-pads `input_ids` with the pad token and `labels` with -100, and builds the attention mask.

    pad_to_multiple_of rounds the padded length up (8 helps tensor cores on GPU).
    """

    def __init__(self, pad_token_id: int, pad_to_multiple_of: int | None = None) -> None:
        if pad_token_id is None:
            raise ValueError("the tokenizer has no pad token; set one before collating")
        self.pad_token_id = pad_token_id
        self.pad_to_multiple_of = pad_to_multiple_of

    def __call__(self, rows: list[dict[str, Any]]) -> dict[str, Any]:
        import torch

        length = max(len(row["input_ids"]) for row in rows)
        if self.pad_to_multiple_of:
            length = -(-length // self.pad_to_multiple_of) * self.pad_to_multiple_of
        input_ids = torch.full((len(rows), length), self.pad_token_id, dtype=torch.long)
        labels = torch.full((len(rows), length), IGNORE_INDEX, dtype=torch.long)
        attention = torch.zeros((len(rows), length), dtype=torch.long)
        for i, row in enumerate(rows):
            n = len(row["input_ids"])
            input_ids[i, :n] = torch.tensor(row["input_ids"], dtype=torch.long)
            labels[i, :n] = torch.tensor(row["labels"], dtype=torch.long)
            attention[i, :n] = 1
        return {"input_ids": input_ids, "attention_mask": attention, "labels": labels}
