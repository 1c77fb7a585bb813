"""Generic ChatML: `<|im_start|>role\\ncontent<|im_end|>\\n` for every turn, no default system prompt.

Checked against the plain ChatML template first published with Qwen1.5-Chat (revision b79d0c9a, the same string as
SmolLM2's first revision and ollama's `chatml`): no bos, no default system, `<|im_start|>assistant\\n` as the
generation prompt. The `\\n` after `<|im_end|>` is not trained: generation stops at `<|im_end|>`.
"""

from tuneforge.core import ChatTemplate, hookimpl

CHATML = ChatTemplate(
    name="chatml",
    system="<|im_start|>system\n{content}<|im_end|>\n",
    user="<|im_start|>user\n{content}<|im_end|>\n",
    assistant_prefix="<|im_start|>assistant\n",
    assistant_suffix="<|im_end|>",
    assistant_separator="\n",
    stop_words=("<|im_end|>",),
    special_tokens=("<|im_start|>", "<|im_end|>"),
    description="Generic ChatML (OpenAI's chat markup) without a default system prompt; no tool or reasoning turns.",
)


@hookimpl
def register_templates(register):
    register(CHATML)
