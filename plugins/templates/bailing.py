"""inclusionAI Ling (Bailing) v1: `<role>ROLE</role>` before each message, no end-of-turn token.

Checked against the official Ling-lite template (as transcribed in llama.cpp's `tests/test-chat-template.cpp`): each
message is `<role>` + the upper-cased role (`user` written `HUMAN`) + `</role>` + content, nothing between turns,
`<role>ASSISTANT</role>` as the generation prompt, no bos and no default system prompt. The official text writes no
end of an answer, so none is trained; generation stops at the model's eos `<|endoftext|>`.
"""

from tuneforge.core import ChatTemplate, hookimpl

BAILING = ChatTemplate(
    name="bailing",
    system="<role>SYSTEM</role>{content}",
    user="<role>HUMAN</role>{content}",
    assistant_prefix="<role>ASSISTANT</role>",
    stop_words=("<|endoftext|>",),
    reference="inclusionAI/Ling-lite",
    description="inclusionAI Ling-lite / Ling-plus (Bailing v1); no end-of-turn token is written or trained; no "
                "tool or reasoning turns.",
)


@hookimpl
def register_templates(register):
    register(BAILING)
