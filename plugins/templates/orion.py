"""OrionStar Orion-14B-Chat: `Human: ...\\n\\nAssistant: </s>` prompts, each answer closed by `</s>`, `<s>` first.

No official chat template to check against (Orion-14B-Chat builds its prompts in its own Python code): the format is
the one of that code as LLaMA-Factory's `orion` writes it, `<s>Human: question\\n\\nAssistant: </s>answer</s>` for
each exchange (the same text as the chat template of the Orion-derived vaiv/llamion-14b-chat). Orion has no system
turn: a system message is refused.
"""

from tuneforge.core import ChatTemplate, hookimpl

ORION = ChatTemplate(
    name="orion",
    prefix="<s>",
    user="Human: {content}\n\nAssistant: </s>",
    assistant_suffix="</s>",
    stop_words=("</s>",),
    special_tokens=("<s>", "</s>"),
    reference=None,
    description="OrionStar Orion-14B-Chat (documented format, no official chat template); no system, tool or "
                "reasoning turns.",
)


@hookimpl
def register_templates(register):
    register(ORION)
