"""Helpers shared by the chat-template tests: message builders, the reference-data folder, rendering through
transformers, and the decoded runs of trained tokens."""

from __future__ import annotations

from pathlib import Path

from tuneforge.core import Message
from tuneforge.core.templates import hf_messages

REFDATA = Path(__file__).resolve().parents[2] / "shared" / "refdata"


def S(text: str) -> Message:
    return Message("system", text)


def U(text: str) -> Message:
    return Message("user", text)


def A(text: str = "", **fields) -> Message:
    return Message("assistant", text, **fields)


def T(text: str, **fields) -> Message:
    return Message("tool", text, **fields)


def hf_render(tokenizer, messages, chat_template, tools=(), tokenize=False, add_generation_prompt=False, **kwargs):
    """What transformers' apply_chat_template makes of `messages` with `chat_template` (text, or ids)."""
    result = tokenizer.apply_chat_template(hf_messages(messages), tools=list(tools) or None,
                                           chat_template=chat_template, tokenize=tokenize,
                                           add_generation_prompt=add_generation_prompt, **kwargs)
    return result["input_ids"] if tokenize else result


def trained_text(tokenizer, encoded) -> list[str]:
    """The decoded runs of consecutive trained tokens (each trained label must be its token's id)."""
    runs, current = [], []
    for token, label in zip(encoded.input_ids, encoded.labels):
        if label != -100:
            assert label == token, "a trained label must be the token id itself"
            current.append(token)
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return [tokenizer.decode(run) for run in runs]
