"""German ChatML (VAGO solutions SauerkrautLM): ChatML with a German default system prompt.

Checked against the official template of SauerkrautLM-Qwen-32b (`tokenizer_config.json`, as copied in
openvino.genai's test data): the system turn always written (`Du bist ein freundlicher und hilfsbereiter
KI-Assistent.` unless given), each user turn followed by the `<|im_start|>assistant\\n` header even without a
generation prompt, each answer closed by `<|im_end|>` (trained) and `\\n`; no bos.
"""

from tuneforge.core import ChatTemplate, hookimpl

CHATML_DE = ChatTemplate(
    name="chatml-de",
    system="<|im_start|>system\n{content}<|im_end|>\n",
    default_system="Du bist ein freundlicher und hilfsbereiter KI-Assistent.",
    user="<|im_start|>user\n{content}<|im_end|>\n<|im_start|>assistant\n",
    assistant_suffix="<|im_end|>",
    assistant_separator="\n",
    special_tokens=("<|im_start|>", "<|im_end|>"),
    reference="VAGOsolutions/SauerkrautLM-Qwen-32b",
    description="German ChatML of the SauerkrautLM models, German default system prompt; no tool or reasoning "
                "turns.",
)


@hookimpl
def register_templates(register):
    register(CHATML_DE)
