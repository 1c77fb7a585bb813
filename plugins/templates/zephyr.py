"""HuggingFaceH4 Zephyr: `<|role|>\\ncontent</s>\\n` per message, `<|assistant|>\\n` as the generation prompt.

Checked token for token against the official template (zephyr-7b-beta `tokenizer_config.json`): the eos `</s>`
closes every message (the user's and the system's too) and a newline follows it; no bos, and no default system
prompt (LLaMA-Factory's `zephyr` adds one and drops the newlines: that is not what the model was trained on).
`<|user|>`, `<|system|>` and `<|assistant|>` are plain text to Zephyr's tokenizer, not special tokens.
"""

from tuneforge.core import ChatTemplate, hookimpl

ZEPHYR = ChatTemplate(
    name="zephyr",
    system="<|system|>\n{content}</s>\n",
    user="<|user|>\n{content}</s>\n",
    assistant_prefix="<|assistant|>\n",
    assistant_suffix="</s>",
    assistant_separator="\n",
    stop_words=("</s>",),
    special_tokens=("</s>",),
    text_markers=("<|system|>", "<|user|>", "<|assistant|>"),  # plain text to Zephyr's (Mistral) tokenizer
    reference="HuggingFaceH4/zephyr-7b-beta",
    description="HuggingFaceH4 Zephyr (7B beta): <|role|> turns closed by the eos </s>; no default system, tool or "
                "reasoning turns.",
)


@hookimpl
def register_templates(register):
    register(ZEPHYR)
