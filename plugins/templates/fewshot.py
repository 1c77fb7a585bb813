"""The `fewshot` format: questions and answers written bare, each answer followed by a blank line (trained).

A generic format for base models prompted with examples, with no official chat template behind it (LLaMA-Factory's
template `fewshot`); the blank line ending each answer is what the model learns to stop at.
"""

from tuneforge.core import ChatTemplate, hookimpl

FEWSHOT = ChatTemplate(
    name="fewshot",
    system="{content}",
    user="{content}",
    assistant="{content}\n\n",
    stop_words=("\n\n",),
    description="Bare few-shot format, answers ended by a blank line (LLaMA-Factory's `fewshot`, no official "
                "template); no tool or reasoning turns.",
)


@hookimpl
def register_templates(register):
    register(FEWSHOT)
