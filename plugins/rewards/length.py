"""`length`: a reward for the completion's length L against a target T, in [0, 1], with a choice of shape.

Shapes (W is `width`, by default T for the linear ones and T/4 for the gaussian):
- `linear`: 1 at T, falling linearly to 0 at T - W and T + W;
- `gaussian`: exp(-(L - T)^2 / (2 W^2));
- `at_most`: 1 up to T, then falling linearly to 0 at T + W (a verbosity penalty);
- `at_least`: 1 from T on, rising linearly from 0 at T - W (a brevity penalty).
Tokens are the generated ids (the stop token included); characters and words count the decoded text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

from tuneforge.core import RewardFunction, hookimpl

UNITS = ("tokens", "characters", "words")
SHAPES = ("linear", "gaussian", "at_most", "at_least")


@dataclass(frozen=True)
class LengthOptions:
    """target: the length to aim for; unit: tokens, characters or words; shape: linear, gaussian, at_most or
    at_least; width: how far from the target the reward reaches 0 (gaussian: its standard deviation)."""

    target: int = 256
    unit: str = "tokens"
    shape: str = "linear"
    width: Optional[float] = None

    def __post_init__(self) -> None:
        if self.target < 1:
            raise ValueError(f"`target` must be a positive length, got {self.target}")
        if self.unit not in UNITS:
            raise ValueError(f"`unit` must be one of {', '.join(UNITS)}, got {self.unit!r}")
        if self.shape not in SHAPES:
            raise ValueError(f"`shape` must be one of {', '.join(SHAPES)}, got {self.shape!r}")
        if self.width is not None and not self.width > 0:
            raise ValueError(f"`width` must be positive, got {self.width}")

    @property
    def scale(self) -> float:
        if self.width is not None:
            return float(self.width)
        return self.target / 4 if self.shape == "gaussian" else float(self.target)


def length_reward(length: int, options: LengthOptions) -> float:
    distance, width = length - options.target, options.scale
    if options.shape == "gaussian":
        return math.exp(-0.5 * (distance / width) ** 2)
    if options.shape == "at_most":
        distance = max(distance, 0)
    elif options.shape == "at_least":
        distance = min(distance, 0)
    return max(0.0, 1.0 - abs(distance) / width)


def _lengths(completions, options: LengthOptions, completion_ids, runtime) -> list[int]:
    if options.unit == "characters":
        return [len(c) for c in completions]
    if options.unit == "words":
        return [len(c.split()) for c in completions]
    if completion_ids is not None:
        return [len(ids) for ids in completion_ids]
    if runtime is None:
        raise ValueError("reward `length` with unit `tokens` needs the completion ids or a tokenizer; this stage gave "
                         "neither (use unit: characters or words)")
    return [len(ids) for ids in runtime.tokenizer(list(completions), add_special_tokens=False)["input_ids"]]


def score_length(prompts, completions, *, options: Optional[LengthOptions] = None, runtime=None, completion_ids=None,
                 **columns):
    options = options or LengthOptions()
    return [length_reward(n, options) for n in _lengths(completions, options, completion_ids, runtime)]


LENGTH = RewardFunction(name="length", score=score_length, options=LengthOptions,
                        description="How close the completion's length is to a target (linear, gaussian, at_most "
                                    "or at_least), in [0, 1].")


@hookimpl
def register_rewards(register):
    register(LENGTH)
