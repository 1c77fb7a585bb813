"""Meta Llama 3 Instruct: role headers, every message trimmed, `<|eot_id|>` closing each turn.

Checked token for token against the official template (Meta-Llama-3-8B-Instruct `tokenizer_config.json`):
`bos_token` before the first message, `'<|start_header_id|>' + role + '<|end_header_id|>\\n\\n' + content | trim +
'<|eot_id|>'` for every message, the assistant header as the generation prompt; no default system prompt.
"""

from tuneforge.core import ChatTemplate, hookimpl

LLAMA3 = ChatTemplate(
    name="llama3",
    prefix="<|begin_of_text|>",
    system="<|start_header_id|>system<|end_header_id|>\n\n{content}<|eot_id|>",
    user="<|start_header_id|>user<|end_header_id|>\n\n{content}<|eot_id|>",
    assistant_prefix="<|start_header_id|>assistant<|end_header_id|>\n\n",
    assistant_suffix="<|eot_id|>",
    strip_content=("system", "user", "assistant"),
    stop_words=("<|eot_id|>",),
    special_tokens=("<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"),
    reference="meta-llama/Meta-Llama-3-8B-Instruct",
    description="Meta Llama 3 Instruct (8B/70B); no tool or reasoning turns (Llama 3.1 added tools).",
)


@hookimpl
def register_templates(register):
    register(LLAMA3)
