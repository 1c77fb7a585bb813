"""Meta Llama 2 Chat: `<s>[INST] user [/INST] answer </s>` per exchange, the system prompt inside the first user turn.

Checked against the official Llama-2-chat template: a bos `<s>` opens every user turn (not only the first), the
answer is written `' ' + content.strip() + ' ' + eos`, and the system prompt is folded into the first user message
as `<<SYS>>\\n...\\n<</SYS>>\\n\\n` before that message is stripped. The official template has no generation prompt
beyond ` [/INST]`, so the leading space of an answer is generated (and trained) as part of it.
"""

from tuneforge.core import ChatTemplate, hookimpl

LLAMA2 = ChatTemplate(
    name="llama2",
    user="<s>[INST] {content} [/INST]",
    system_in_user="<<SYS>>\n{system}\n<</SYS>>\n\n{content}",
    assistant=" {content} ",
    assistant_suffix="</s>",
    strip_content=("user", "assistant"),
    stop_words=("</s>",),
    special_tokens=("<s>", "</s>"),
    reference="meta-llama/Llama-2-7b-chat-hf",
    description="Meta Llama 2 Chat; system prompt folded into the first user turn; no tool or reasoning turns.",
)


@hookimpl
def register_templates(register):
    register(LLAMA2)
