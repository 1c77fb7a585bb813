"""Hugging Face SmolLM2-Instruct: ChatML with a default system prompt.

Checked token for token against the official template (SmolLM2-135M-Instruct `tokenizer_config.json`, revision
eba0825d): plain ChatML turns and, without a system message, the system turn "You are a helpful AI assistant named
SmolLM, trained by Hugging Face" (no final period, unlike LLaMA-Factory's copy). SmolLM (v1) needs no template of its
own: its tokenizer's template is plain ChatML, the `chatml` template.
"""

from tuneforge.core import ChatTemplate, hookimpl

SMOLLM2 = ChatTemplate(
    name="smollm2",
    system="<|im_start|>system\n{content}<|im_end|>\n",
    default_system="You are a helpful AI assistant named SmolLM, trained by Hugging Face",
    user="<|im_start|>user\n{content}<|im_end|>\n",
    assistant_prefix="<|im_start|>assistant\n",
    assistant_suffix="<|im_end|>",
    assistant_separator="\n",
    stop_words=("<|im_end|>",),
    special_tokens=("<|im_start|>", "<|im_end|>"),
    reference="HuggingFaceTB/SmolLM2-135M-Instruct",
    description="SmolLM2-Instruct: ChatML with SmolLM's default system prompt; no tool or reasoning turns.",
)


@hookimpl
def register_templates(register):
    register(SMOLLM2)
