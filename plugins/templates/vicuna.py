"""Vicuna v1.1 / v1.5: `SYSTEM USER: question ASSISTANT: answer</s>` on one line, the system prompt written bare.

Checked token for token against the official template (lmsys/vicuna-7b-v1.5 `tokenizer_config.json`, added in
March 2024): the system text (default: "A chat between a curious user and an artificial intelligence assistant.
...") written as it is, then ` USER: ` + question.strip() and ` ASSISTANT: ` + answer.strip() + `</s>`, and
` ASSISTANT:` as the generation prompt, so the space before an answer is generated (and trained) with it. No bos.
"""

from tuneforge.core import ChatTemplate, hookimpl

VICUNA = ChatTemplate(
    name="vicuna",
    system="{content}",
    default_system=("A chat between a curious user and an artificial intelligence assistant. The assistant gives "
                    "helpful, detailed, and polite answers to the user's questions."),
    user=" USER: {content}",
    assistant_prefix=" ASSISTANT:",
    assistant=" {content}",
    assistant_suffix="</s>",
    strip_content=("user", "assistant"),
    stop_words=("</s>",),
    special_tokens=("</s>",),
    reference="lmsys/vicuna-7b-v1.5",
    description="Vicuna v1.1 / v1.5 with its default system prompt; no tool or reasoning turns.",
)


@hookimpl
def register_templates(register):
    register(VICUNA)
