"""Meta Llama 4 Instruct (Scout, Maverick): `<|header_start|>role<|header_end|>\\n\\n` headers, `<|eot|>` closing every
turn, `<|begin_of_text|>` first.

Checked against the official template (the one meta-llama/Llama-4-Scout-17B-16E-Instruct ships, as transformers
carries it in `models/llama4/processing_llama4.py`): a system turn only when the conversation has one, its text
trimmed; user and assistant texts written as they are (unlike Llama 3, not trimmed); no default system prompt.
Tool definitions and calls (JSON in the first user turn, `<|python_start|>` calls) are not written: tools are refused.
"""

from tuneforge.core import ChatTemplate, hookimpl

LLAMA4 = ChatTemplate(
    name="llama4",
    prefix="<|begin_of_text|>",
    system="<|header_start|>system<|header_end|>\n\n{content}<|eot|>",
    user="<|header_start|>user<|header_end|>\n\n{content}<|eot|>",
    assistant_prefix="<|header_start|>assistant<|header_end|>\n\n",
    assistant_suffix="<|eot|>",
    strip_content=("system",),
    stop_words=("<|eot|>",),
    special_tokens=("<|begin_of_text|>", "<|header_start|>", "<|header_end|>", "<|eot|>"),
    reference="meta-llama/Llama-4-Scout-17B-16E-Instruct",
    description="Meta Llama 4 Instruct (text); no default system prompt; no tool or reasoning turns.",
)


@hookimpl
def register_templates(register):
    register(LLAMA4)
