"""XVERSE chat models: `Human: question\\n\\nAssistant: answer<|endoftext|>`.

XVERSE's own chat template could not be reached from here; this is LLaMA-Factory's `xverse` format with XVERSE's
eos `<|endoftext|>` closing each answer (trained). It has no system turn: LLaMA-Factory pastes a system text bare
before the first question, which the model card never shows, so a system message is refused instead.
"""

from tuneforge.core import ChatTemplate, hookimpl

XVERSE = ChatTemplate(
    name="xverse",
    user="Human: {content}\n\n",
    assistant_prefix="Assistant: ",
    assistant_suffix="<|endoftext|>",
    stop_words=("<|endoftext|>",),
    special_tokens=("<|endoftext|>",),
    description="XVERSE chat (documented format: LLaMA-Factory's xverse, eos <|endoftext|>; official template not "
                "verified); no system, tool or reasoning turns.",
)


@hookimpl
def register_templates(register):
    register(XVERSE)
