"""The `empty` format: every message's content written as is, one after the other, with nothing around it.

A generic format with no official chat template behind it (LLaMA-Factory's template `empty`): for continued
pre-training on dialogues or for data that already carries its own markup. Nothing ends an answer.
"""

from tuneforge.core import ChatTemplate, hookimpl

EMPTY = ChatTemplate(
    name="empty",
    system="{content}",
    user="{content}",
    description="Bare concatenation of message contents (LLaMA-Factory's `empty`, no official template); no tool "
                "or reasoning turns.",
)


@hookimpl
def register_templates(register):
    register(EMPTY)
