"""`accuracy`: 1 when the completion's final answer equals the prompt's reference answer, else 0.

The final answer of a text (completion or reference: a reference is often a whole worked solution) is, in order:
the content of its last `\\boxed{...}`; what follows its last `####` (GSM8K); what follows its last "answer is" or
"answer:" (MetaMathQA's "The answer is: 18"); when the reference's answer is a number, the last number in the text;
else the whole text. Normalisation before comparing: surrounding whitespace, `$` signs, quotes and a final full stop
are dropped, runs of whitespace become one space, letters are compared in lower case. When both answers read as
numbers (thousands separators, a leading `$`, a trailing `%` and fractions `a/b` allowed) they are compared as
numbers with the relative `tolerance`. A prompt without a reference answer gets no score (None).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from tuneforge.core import ConfigError, RewardFunction, hookimpl

_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?(?:/\d+)?|-?\.\d+")
_MARKERS = (re.compile(r"####\s*(.+)"), re.compile(r"answer\s*(?:is|:)\s*:?\s*(.+)", re.IGNORECASE))


@dataclass(frozen=True)
class AccuracyOptions:
    """column: the prompt rows' column holding the reference answer (the record's assistant answer is `answer`);
    tolerance: relative tolerance when both answers are numbers."""

    column: str = "answer"
    tolerance: float = 1e-6

    def __post_init__(self) -> None:
        if not self.column:
            raise ValueError("`column` must name the column that holds the reference answers")
        if self.tolerance < 0:
            raise ValueError(f"`tolerance` must be >= 0, got {self.tolerance}")


def _last_boxed(text: str) -> Optional[str]:
    start = text.rfind("\\boxed{")
    if start < 0:
        return None
    depth, begin = 0, start + len("\\boxed{")
    for i in range(begin, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            if depth == 0:
                return text[begin:i]
            depth -= 1
    return None


def final_answer(text: str, numeric: bool = False) -> str:
    """The final answer of a solution text (see the module docstring); `numeric`: fall back to its last number."""
    boxed = _last_boxed(text)
    if boxed is not None:
        return boxed
    for marker in _MARKERS:
        found = list(marker.finditer(text))
        if found:
            return found[-1].group(1).strip().splitlines()[0]
    if numeric:
        numbers = _NUMBER.findall(text)
        if numbers:
            return numbers[-1]
    return text


def normalise(answer: str) -> str:
    answer = " ".join(answer.split()).strip().strip("$").strip().strip("\"'`").strip()
    if answer.endswith(".") and not answer.endswith(".."):
        answer = answer[:-1].rstrip()
    return answer.lower()


def as_number(answer: str) -> Optional[float]:
    """The value of an answer that is one number (`1,234`, `$5`, `12%`, `3/4`, `-0.5`), else None."""
    text = answer.strip().lstrip("$").rstrip("%").strip().replace(",", "")
    if not text:
        return None
    try:
        if "/" in text:
            top, bottom = text.split("/", 1)
            return float(top) / float(bottom)
        return float(text)
    except (ValueError, ZeroDivisionError):
        return None


def matches(completion: str, reference: str, tolerance: float = 1e-6) -> bool:
    target = normalise(final_answer(reference))
    target_number = as_number(target)
    given = normalise(final_answer(completion, numeric=target_number is not None))
    if target_number is not None:
        given_number = as_number(given)
        if given_number is not None:
            return abs(given_number - target_number) <= tolerance * max(1.0, abs(target_number))
    return given == target


def score_accuracy(prompts, completions, *, options: Optional[AccuracyOptions] = None, runtime=None, **columns):
    options = options or AccuracyOptions()
    references = columns.get(options.column)
    if references is None:
        available = sorted(k for k in columns if k not in ("completion_ids", "prompt_input_ids"))
        raise ConfigError(f"reward `accuracy` compares with the `{options.column}` column, which the prompts do not "
                          f"have (columns: {', '.join(available) or 'none'}); give prompts with reference answers "
                          "(conversation records ending with the assistant's answer) or set the reward's `column`")
    return [None if reference is None else float(matches(completion, str(reference), options.tolerance))
            for completion, reference in zip(completions, references)]


ACCURACY = RewardFunction(
    name="accuracy", score=score_accuracy, options=AccuracyOptions,
    description="1 when the completion's final answer (\\boxed{}, ####, 'answer is', last number) equals the "
                "reference answer, else 0.")


@hookimpl
def register_rewards(register):
    register(ACCURACY)
