"""MediaTek Research Breeze-7B-Instruct: `<s> SYSTEM  [INST] question [/INST] answer [INST] ...`.

Checked against the official template of Breeze-7B-Instruct-v1_0 (`tokenizer_config.json`, as copied in
openvino.genai's test data): `bos_token + ' ' + system + ' '`, the system text stripped and defaulting to MediaTek's
prompt; each question as `' [INST] ' + content + ' [/INST] '`, each answer as its bare content. The official template
writes no end of an answer and no generation prompt (the question's ` [/INST] ` is the prompt), so nothing closes an
answer in training; generation stops at the eos `</s>`.
"""

from tuneforge.core import ChatTemplate, hookimpl

BREEZE = ChatTemplate(
    name="breeze",
    prefix="<s> ",
    system="{content} ",
    default_system=("You are a helpful AI assistant built by MediaTek Research. The user you are helping speaks "
                    "Traditional Chinese and comes from Taiwan."),
    user=" [INST] {content} [/INST] ",
    strip_content=("system",),
    stop_words=("</s>",),
    special_tokens=("<s>",),
    reference="MediaTek-Research/Breeze-7B-Instruct-v1_0",
    description="MediaTek Breeze-7B-Instruct v1.0; MediaTek's default system prompt; no end-of-turn token is "
                "written or trained; no tool or reasoning turns.",
)


@hookimpl
def register_templates(register):
    register(BREEZE)
