"""Moonshot AI Moonlight-16B-A3B-Instruct: `<|im_system|>` / `<|im_user|>` / `<|im_assistant|>` role tokens, the role
name, `<|im_middle|>`, the content and `<|im_end|>`; no separators between turns.

Checked against the official template (tokenizer_config.json of moonshotai/Moonlight-16B-A3B-Instruct, revision
391e7a88): a default system prompt "You are a helpful assistant" (no final period; LLaMA-Factory's "... provided by
Moonshot-AI." is not the official one), contents written as they are.
"""

from tuneforge.core import ChatTemplate, hookimpl

MOONLIGHT = ChatTemplate(
    name="moonlight",
    system="<|im_system|>system<|im_middle|>{content}<|im_end|>",
    default_system="You are a helpful assistant",
    user="<|im_user|>user<|im_middle|>{content}<|im_end|>",
    assistant_prefix="<|im_assistant|>assistant<|im_middle|>",
    assistant_suffix="<|im_end|>",
    stop_words=("<|im_end|>",),
    special_tokens=("<|im_system|>", "<|im_user|>", "<|im_assistant|>", "<|im_middle|>", "<|im_end|>"),
    reference="moonshotai/Moonlight-16B-A3B-Instruct",
    description="Moonshot Moonlight-16B-A3B-Instruct, default system prompt 'You are a helpful assistant'; no tool or "
                "reasoning turns.",
)


@hookimpl
def register_templates(register):
    register(MOONLIGHT)
