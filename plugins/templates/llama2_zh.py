"""Chinese-LLaMA-2 / Chinese-Alpaca-2 (hfl): the Meta Llama 2 Chat format with a bilingual default system prompt.

No official chat template to check against (the hfl tokenizers carried none when released): the format is the one
hfl's Chinese-LLaMA-Alpaca-2 project documents and its scripts build, the official Llama 2 Chat format (`<s>[INST]`
turns, the system prompt folded into the first one, every message stripped; the tests check it against Meta's
template) with the default system prompt "You are a helpful assistant. 你是一个乐于助人的助手。", as LLaMA-Factory's
`llama2_zh`.
"""

from tuneforge.core import ChatTemplate, hookimpl

LLAMA2_ZH = ChatTemplate(
    name="llama2-zh",
    user="<s>[INST] {content} [/INST]",
    system_in_user="<<SYS>>\n{system}\n<</SYS>>\n\n{content}",
    default_system="You are a helpful assistant. 你是一个乐于助人的助手。",
    assistant=" {content} ",
    assistant_suffix="</s>",
    strip_content=("user", "assistant"),
    stop_words=("</s>",),
    special_tokens=("<s>", "</s>"),
    reference=None,
    description="Chinese-LLaMA-2 / Chinese-Alpaca-2 (hfl; documented format): Llama 2 Chat with the default system "
                "prompt 'You are a helpful assistant. 你是一个乐于助人的助手。'; no tool or reasoning turns.",
)


@hookimpl
def register_templates(register):
    register(LLAMA2_ZH)
