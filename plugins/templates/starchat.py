"""HuggingFaceH4 StarChat (alpha / beta): `<|role|>\\ncontent<|end|>\\n` turns, `<|assistant|>` as the prompt.

StarChat's own chat template could not be reached from here; this is the prompt of the StarChat model card and of
LLaMA-Factory's `starchat` template: `<|system|>\\n...<|end|>\\n<|user|>\\n...<|end|>\\n<|assistant|>` with the answer
written right after `<|assistant|>`, then `<|end|>` (trained) and a newline (not trained).
"""

from tuneforge.core import ChatTemplate, hookimpl

STARCHAT = ChatTemplate(
    name="starchat",
    system="<|system|>\n{content}<|end|>\n",
    user="<|user|>\n{content}<|end|>\n",
    assistant_prefix="<|assistant|>",
    assistant_suffix="<|end|>",
    assistant_separator="\n",
    stop_words=("<|end|>",),
    special_tokens=("<|system|>", "<|user|>", "<|assistant|>", "<|end|>"),
    description="HuggingFaceH4 StarChat alpha / beta (documented format: model card and LLaMA-Factory; official "
                "template not verified); no default system, tool or reasoning turns.",
)


@hookimpl
def register_templates(register):
    register(STARCHAT)
