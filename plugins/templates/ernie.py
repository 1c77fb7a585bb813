"""Baidu ERNIE 4.5 (non-thinking): `<|begin_of_sentence|>`, `User: ...\\n`, `Assistant: answer<|end_of_sentence|>`.

Checked against the official template of ERNIE-4.5-0.3B-PT (the `DEFAULT_CHAT_TEMPLATE` transformers ships for
ERNIE 4.5 tokenizers): the cls token `<|begin_of_sentence|>` once, a system text as `content + '\\n'`, questions as
`User: ` + content + `\\n`, answers closed by the sep token `<|end_of_sentence|>` (trained), `Assistant: ` as the
generation prompt.
"""

from tuneforge.core import ChatTemplate, hookimpl

ERNIE_NOTHINK = ChatTemplate(
    name="ernie-nothink",
    prefix="<|begin_of_sentence|>",
    system="{content}\n",
    user="User: {content}\n",
    assistant_prefix="Assistant: ",
    assistant_suffix="<|end_of_sentence|>",
    special_tokens=("<|begin_of_sentence|>", "<|end_of_sentence|>"),
    reference="baidu/ERNIE-4.5-0.3B-PT",
    description="Baidu ERNIE 4.5 instruct models without thinking (0.3B/21B-A3B/300B-A47B -PT); no tool or "
                "reasoning turns.",
)


@hookimpl
def register_templates(register):
    register(ERNIE_NOTHINK)
