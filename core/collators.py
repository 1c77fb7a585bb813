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


class PackedCollator:
    """Collates packed rows (`input_ids`, `labels`, `position_ids` restarting at 0 for each example, as made by
    `tuneforge.core.packing.pack_rows`) so that examples sharing a row never attend to each other.

    The batch carries `position_ids` and no attention mask: from the restarts transformers builds a block-diagonal
    causal mask (sdpa, eager) or feeds flash attention's variable-length kernels. It also carries `use_cache=False`,
    because transformers looks for packed sequences only when no cache is passed (a model whose config has
    `use_cache: true` would otherwise let every example see the ones before it).

    Rows are right-padded with a block of their own (positions 0, 1, ..., labels -100) that no real token attends
    to. With `flatten` (needed by flash attention, which reads packed sequences from a batch of one row) the whole
    batch becomes one row instead, with no padding. A row without `position_ids` counts as one example.
    """

    def __init__(self, pad_token_id: int, flatten: bool = False) -> None:
        if pad_token_id is None:
            raise ValueError("the tokenizer has no pad token; set one before collating")
        self.pad_token_id = pad_token_id
        self.flatten = flatten

    def __call__(self, rows: list[dict[str, Any]]) -> dict[str, Any]:
        import torch

        rows = [self._example_row(row) for row in rows]
        if self.flatten:
            rows = [{key: [value for row in rows for value in row[key]] for key in rows[0]}]
        length = max(len(row["input_ids"]) for row in rows)
        for row in rows:
            padding = length - len(row["input_ids"])
            row["input_ids"] += [self.pad_token_id] * padding
            row["labels"] += [IGNORE_INDEX] * padding
            row["position_ids"] += range(padding)
        batch = {key: torch.tensor([row[key] for row in rows], dtype=torch.long)
                 for key in ("input_ids", "labels", "position_ids")}
        batch["use_cache"] = False
        return batch

    @staticmethod
    def _example_row(row: dict[str, Any]) -> dict[str, list[int]]:
        positions = list(row.get("position_ids") or range(len(row["input_ids"])))
        # The first token of an example is never a target: it is no continuation of the row's previous tokens.
        labels = [IGNORE_INDEX if position == 0 else label for label, position in zip(row["labels"], positions)]
        return {"input_ids": list(row["input_ids"]), "labels": labels, "position_ids": positions}
