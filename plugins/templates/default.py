"""LLaMA-Factory's `default` format: `Human: ...</s>\\nAssistant:answer</s>\\n`, with a `System: ...</s>` turn.

A generic format with no official chat template behind it; it follows LLaMA-Factory's template `default` with the
eos written as `</s>` (the Llama eos): trained after each answer, the newline after it not. An empty system
message counts as none, as there.
"""

from tuneforge.core import ChatTemplate, hookimpl
from tuneforge.core.template_formats.quirks import with_quirks

DEFAULT = with_quirks(ChatTemplate(
    name="default",
    system="System: {content}</s>\n",
    user="Human: {content}</s>\n",
    assistant_prefix="Assistant:",
    assistant_suffix="</s>",
    assistant_separator="\n",
    special_tokens=("</s>",),
    description="Generic Human/Assistant format (LLaMA-Factory's `default`, no official template; eos `</s>`); "
                "no tool or reasoning turns.",
), skip_empty_system=True)


@hookimpl
def register_templates(register):
    register(DEFAULT)
