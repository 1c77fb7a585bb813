"""IDEA-CCNL Ziya-LLaMA: `<human>:question\\n<bot>:answer\\n`.

Ziya has no official chat template; this is the prompt of the Ziya-LLaMA model card as LLaMA-Factory's `ziya`
template writes it: each answer followed by a newline, trained with it (the format writes no end-of-turn token;
generation stops at the next `<human>:`). It has no system turn, so a system message is refused.
"""

from tuneforge.core import ChatTemplate, hookimpl

ZIYA = ChatTemplate(
    name="ziya",
    user="<human>:{content}\n",
    assistant_prefix="<bot>:",
    assistant_suffix="\n",
    stop_words=("<human>:",),
    description="IDEA-CCNL Ziya-LLaMA (documented format: model card and LLaMA-Factory's ziya; no official "
                "template); no system, tool or reasoning turns.",
)


@hookimpl
def register_templates(register):
    register(ZIYA)
