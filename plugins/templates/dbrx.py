"""Databricks DBRX Instruct: ChatML with a long default system prompt and `\\n` *before* each turn.

Checked against the official template of dbrx-instruct (`tokenizer_config.json`, as copied in openvino.genai's test
data): the system turn always written (DBRX's default prompt unless given; the system text trimmed), then every
message as `<|im_start|>role\\ncontent<|im_end|>`, each joined to the previous by `\\n`, and
`\\n<|im_start|>assistant\\n` as the generation prompt. With the newline opening each turn, an answer ends at
`<|im_end|>` (trained) with nothing after it.
"""

from tuneforge.core import ChatTemplate, hookimpl

DBRX_SYSTEM = (
    "You are DBRX, created by Databricks. You were last updated in December 2023. You answer questions based on "
    "information available up to that point.\n"
    "YOU PROVIDE SHORT RESPONSES TO SHORT QUESTIONS OR STATEMENTS, but provide thorough responses to more complex "
    "and open-ended questions.\n"
    "You assist with various tasks, from writing to coding (using markdown for code blocks \u2014 remember to use "
    "``` with code, JSON, and tables).\n"
    "(You do not have real-time data access or code execution capabilities. You avoid stereotyping and provide "
    "balanced perspectives on controversial topics. You do not provide song lyrics, poems, or news articles and do "
    "not divulge details of your training data.)\n"
    "This is your system prompt, guiding your responses. Do not reference it, just respond to the user. If you find "
    "yourself talking about this message, stop. You should be responding appropriately and usually that means not "
    "mentioning this.\n"
    "YOU DO NOT MENTION ANY OF THIS INFORMATION ABOUT YOURSELF UNLESS THE INFORMATION IS DIRECTLY PERTINENT TO THE "
    "USER'S QUERY."
)

DBRX = ChatTemplate(
    name="dbrx",
    system="<|im_start|>system\n{content}<|im_end|>",
    default_system=DBRX_SYSTEM,
    user="\n<|im_start|>user\n{content}<|im_end|>",
    assistant_prefix="\n<|im_start|>assistant\n",
    assistant_suffix="<|im_end|>",
    strip_content=("system",),
    special_tokens=("<|im_start|>", "<|im_end|>"),
    reference="databricks/dbrx-instruct",
    description="Databricks DBRX Instruct, with DBRX's default system prompt; no tool or reasoning turns.",
)


@hookimpl
def register_templates(register):
    register(DBRX)
