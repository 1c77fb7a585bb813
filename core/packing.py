"""Packing (`data.packing: true`): several encoded examples share one row of at most `cutoff_len` tokens, and none
of them sees another.

Each packed row carries `position_ids` that restart at 0 for every example. Given those and no attention mask,
transformers builds a block-diagonal causal mask from the restarts (sdpa, eager, flex attention) or runs flash
attention's variable-length kernels, so every example attends only to itself, at the positions it has alone.
"""

from __future__ import annotations

import bisect
import random
from typing import Any, Optional

from tuneforge.core.collators import IGNORE_INDEX
from tuneforge.core.errors import ConfigError, DataError

# The implementations whose masks transformers derives from position-id restarts (masking_utils, flash attention).
ISOLATING_ATTENTION = ("sdpa", "eager", "flex_attention", "flash_attention_2", "flash_attention_3")

# Layer kinds that only mix tokens through the attention mask; recurrent or linear-attention layers carry a state
# from one token to the next whatever the mask says, so one example would leak into the next.
ATTENTION_LAYER_TYPES = frozenset({"full_attention", "sliding_attention", "chunked_attention", "attention"})

# A modeling module that imports one of these builds its masks with transformers' masking utilities.
MASK_BUILDERS = ("create_causal_mask", "create_sliding_window_causal_mask", "create_chunked_causal_mask")


def pack_rows(rows: list[dict[str, Any]], max_length: int, *, seed: Optional[int] = None) -> list[dict[str, list[int]]]:
    """Pack encoded rows (`input_ids`, `labels`) into rows of at most `max_length` tokens.

    Best-fit decreasing: the longest example goes first, each into the fullest packed row it still fits in. Each
    packed row holds `input_ids`, `labels` and `position_ids` (0, 1, ... restarting for every example). The first
    label of every example is -100, so no token is trained as the continuation of the example before it; alone, a
    row's first token is never predicted either, so packing leaves the loss unchanged. Packed rows come in the order
    they were opened (longest examples first), or shuffled with `seed`.
    """
    if max_length < 1:
        raise ValueError(f"max_length must be a positive number of tokens, got {max_length!r}")
    for number, row in enumerate(rows):
        length = len(row["input_ids"])
        if length != len(row["labels"]):
            raise DataError(f"encoded row {number} has {length} input ids but {len(row['labels'])} labels")
        if length == 0:
            raise DataError(f"encoded row {number} is empty; there is nothing to pack")
        if length > max_length:
            raise DataError(f"encoded row {number} has {length} tokens, more than the packing length {max_length}; "
                            "cut rows at data.cutoff_len before packing")

    order = sorted(range(len(rows)), key=lambda i: len(rows[i]["input_ids"]), reverse=True)
    bins: list[list[int]] = []
    free: list[tuple[int, int]] = []  # (tokens still free, bin number) of bins with room, in ascending order
    for i in order:
        length = len(rows[i]["input_ids"])
        slot = bisect.bisect_left(free, (length, -1))  # the bin with the least room that still fits
        if slot == len(free):
            bins.append([i])
            room, number = max_length - length, len(bins) - 1
        else:
            room, number = free.pop(slot)
            bins[number].append(i)
            room -= length
        if room > 0:
            bisect.insort(free, (room, number))

    packed = [_concatenate([rows[i] for i in members]) for members in bins]
    if seed is not None:
        random.Random(seed).shuffle(packed)
    return packed


def _concatenate(examples: list[dict[str, Any]]) -> dict[str, list[int]]:
    input_ids: list[int] = []
    labels: list[int] = []
    position_ids: list[int] = []
    for example in examples:
        input_ids.extend(example["input_ids"])
        labels.append(IGNORE_INDEX)
        labels.extend(example["labels"][1:])
        position_ids.extend(range(len(example["input_ids"])))
    return {"input_ids": input_ids, "labels": labels, "position_ids": position_ids}


def check_packing_supported(model_or_config, attn_implementation: Optional[str] = None) -> str:
    """Refuse packing where examples sharing a row would see each other; return the attention implementation.

    `model_or_config` is a loaded model (a PEFT wrapper too) or its config; `attn_implementation` defaults to the
    one the model was loaded with (`model.attn_implementation: auto` must be resolved first, as the model loader
    does). A model also has to build its masks with transformers' masking utilities and have attention layers only.
    """
    model = model_or_config.get_base_model() if hasattr(model_or_config, "get_base_model") else model_or_config
    config = getattr(model, "config", model)
    implementation = attn_implementation or getattr(config, "_attn_implementation", None)
    if implementation not in ISOLATING_ATTENTION:
        raise ConfigError(
            f"data.packing: true needs an attention implementation that keeps packed examples apart, but the model "
            f"uses {implementation!r}. Set model.attn_implementation to `sdpa` (CPU or GPU), `eager`, or "
            "`flash_attention_2` (GPU, with flash-attn installed), or set data.packing: false.")

    if model is not config:
        import sys

        module = sys.modules.get(type(model).__module__)
        if not any(hasattr(module, name) for name in MASK_BUILDERS):
            raise ConfigError(
                f"data.packing: true: {type(model).__name__} (from {type(model).__module__}) builds its attention "
                "mask itself rather than with transformers' masking utilities, so packed examples would attend to "
                "each other. Set data.packing: false for this model.")

    text_config = config.get_text_config() if hasattr(config, "get_text_config") else config
    for attribute in ("layer_types", "layers_block_type"):
        kinds = getattr(text_config, attribute, None)
        others = sorted(set(kinds) - ATTENTION_LAYER_TYPES) if isinstance(kinds, (list, tuple)) else []
        if others:
            raise ConfigError(
                f"data.packing: true cannot keep examples apart in a {getattr(text_config, 'model_type', '?')} "
                f"model: its {', '.join(others)} layers carry a state from one token to the next whatever the "
                "attention mask says. Set data.packing: false for this model.")
    return implementation
