"""THUDM ChatGLM3-6B: `[gMASK]sop` once, then `<|role|>\\n ` + content for every message.

Checked token for token against the official template (the chatglm3 `tokenizer_config.json` of the reference
data): the role tokens follow each other with no separator, a space after each role line, no default system prompt,
`<|assistant|>` as the generation prompt. The `\\n ` after `<|assistant|>` is generated, so it is trained with the
answer. The official text writes no end of an answer (ChatGLM3 stops when it generates `<|user|>` or
`<|observation|>`, the next turn's role token), so none is trained here.
"""

from tuneforge.core import ChatTemplate, hookimpl

CHATGLM3 = ChatTemplate(
    name="chatglm3",
    prefix="[gMASK]sop",
    system="<|system|>\n {content}",
    user="<|user|>\n {content}",
    assistant_prefix="<|assistant|>",
    assistant="\n {content}",
    stop_words=("<|user|>", "<|observation|>"),
    special_tokens=("[gMASK]", "sop", "<|system|>", "<|user|>", "<|assistant|>"),
    reference="THUDM/chatglm3-6b",
    description="THUDM ChatGLM3-6B; no end-of-turn token is written or trained (the model stops at the next role "
                "token); no tool or reasoning turns.",
)


@hookimpl
def register_templates(register):
    register(CHATGLM3)
