"""LG AI EXAONE 3.0 / 3.5 Instruct: `[|role|]` headers, `[|endofturn|]` closing system and assistant turns.

Checked against the official template of EXAONE-3.5-2.4B-Instruct (`tokenizer_config.json`; the EXAONE 3.0
repository is gated): an empty system turn `[|system|][|endofturn|]\\n` when no system message is given, questions
as `[|user|]` + content + `\\n` (no end token), answers as `[|assistant|]` + content + `[|endofturn|]` (trained) +
`\\n`, `[|assistant|]` as the generation prompt; no bos.
"""

from tuneforge.core import ChatTemplate, hookimpl

EXAONE = ChatTemplate(
    name="exaone",
    system="[|system|]{content}[|endofturn|]\n",
    default_system="",
    user="[|user|]{content}\n",
    assistant_prefix="[|assistant|]",
    assistant_suffix="[|endofturn|]",
    assistant_separator="\n",
    special_tokens=("[|system|]", "[|user|]", "[|assistant|]", "[|endofturn|]"),
    reference="LGAI-EXAONE/EXAONE-3.5-2.4B-Instruct",
    description="LG AI EXAONE 3.0 / 3.5 Instruct; no tool or reasoning turns.",
)


@hookimpl
def register_templates(register):
    register(EXAONE)
