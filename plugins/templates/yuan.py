"""IEIT Yuan 2.0: `question<sep>answer<eod>\\n`.

Yuan's own chat template could not be reached from here; this is LLaMA-Factory's `yuan` format: the question, the
`<sep>` token as the generation prompt, the answer closed by `<eod>` (trained) and a newline (not trained). It has no
system turn (LLaMA-Factory pastes a system text bare before the first question), so a system message is refused.
"""

from tuneforge.core import ChatTemplate, hookimpl

YUAN = ChatTemplate(
    name="yuan",
    user="{content}",
    assistant_prefix="<sep>",
    assistant_suffix="<eod>",
    assistant_separator="\n",
    stop_words=("<eod>",),
    special_tokens=("<sep>", "<eod>"),
    description="IEIT Yuan 2.0 (documented format: LLaMA-Factory's yuan; official template not verified); no system, "
                "tool or reasoning turns.",
)


@hookimpl
def register_templates(register):
    register(YUAN)
