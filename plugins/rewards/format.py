"""`format`: 1 when the completion matches a regular expression, else 0 (by default: a `<think>...</think>`
reasoning block followed by an answer, the format reasoning models are trained to). `.` matches newlines too."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from tuneforge.core import RewardFunction, hookimpl

MODES = ("search", "match", "fullmatch")


@dataclass(frozen=True)
class FormatOptions:
    """pattern: a Python regular expression; mode: `search` (anywhere), `match` (at the start) or `fullmatch` (the
    whole completion); ignore_case: match letters in any case."""

    pattern: str = r"^\s*<think>.+?</think>\s*\S"
    mode: str = "search"
    ignore_case: bool = False

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"`mode` must be one of {', '.join(MODES)}, got {self.mode!r}")
        try:
            self.compiled()
        except re.error as exc:
            raise ValueError(f"`pattern` {self.pattern!r} is not a valid regular expression: {exc}") from None

    def compiled(self) -> re.Pattern:
        return re.compile(self.pattern, re.DOTALL | (re.IGNORECASE if self.ignore_case else 0))


def score_format(prompts, completions, *, options: Optional[FormatOptions] = None, **columns):
    options = options or FormatOptions()
    check = getattr(options.compiled(), options.mode)
    return [1.0 if check(completion) else 0.0 for completion in completions]


FORMAT = RewardFunction(name="format", score=score_format, options=FormatOptions,
                        description="1 when the completion matches a regular expression (default: a <think> block "
                                    "then an answer), else 0.")


@hookimpl
def register_rewards(register):
    register(FORMAT)
