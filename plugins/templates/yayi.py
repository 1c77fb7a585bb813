"""Wenge YAYI: `<|System|>:\\n...\\n\\n<|Human|>:\\n...\\n\\n<|YaYi|>:answer\\n\\n`.

YAYI's own chat template could not be reached from here; this is LLaMA-Factory's `yayi` format: YAYI's default
system prompt, `<|YaYi|>:` as the generation prompt, and each answer followed by a blank line, trained with it as
LLaMA-Factory does (the format writes no end-of-turn token; generation stops at `<|End|>` or the next `<|Human|>`).
"""

from tuneforge.core import ChatTemplate, hookimpl

YAYI = ChatTemplate(
    name="yayi",
    system="<|System|>:\n{content}\n\n",
    default_system=(
        "You are a helpful, respectful and honest assistant named YaYi developed by Beijing Wenge Technology Co.,Ltd. "
        "Always answer as helpfully as possible, while being safe.  Your answers should not include any harmful, "
        "unethical, racist, sexist, toxic, dangerous, or illegal content. Please ensure that your responses are "
        "socially unbiased and positive in nature.\n\nIf a question does not make any sense, or is not factually "
        "coherent, explain why instead of answering something not correct. If you don't know the answer to a "
        "question, please don't share false information."),
    user="<|Human|>:\n{content}\n\n",
    assistant_prefix="<|YaYi|>:",
    assistant_suffix="\n\n",
    stop_words=("<|End|>", "<|Human|>"),
    special_tokens=("<|System|>", "<|Human|>", "<|YaYi|>"),
    description="Wenge YAYI with its default system prompt (documented format: LLaMA-Factory's yayi; official "
                "template not verified); no tool or reasoning turns.",
)


@hookimpl
def register_templates(register):
    register(YAYI)
