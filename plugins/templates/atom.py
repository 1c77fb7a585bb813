"""FlagAlpha Atom-7B-Chat (Llama 2 based): `<s>Human: ...\\n</s><s>Assistant:answer\\n</s>`.

Atom has no official chat template in its tokenizer; this is the prompt format of its model card as LLaMA-Factory
documents it (template `atom`): every turn wrapped in the Llama bos/eos, the answer's closing `\\n</s>` trained.
"""

from tuneforge.core import ChatTemplate, hookimpl

ATOM = ChatTemplate(
    name="atom",
    system="{content}",
    user="<s>Human: {content}\n</s>",
    assistant_prefix="<s>Assistant:",
    assistant="{content}\n",
    assistant_suffix="</s>",
    special_tokens=("<s>", "</s>"),
    description="FlagAlpha Atom-7B-Chat (no official chat template; model card format as documented by "
                "LLaMA-Factory); no tool or reasoning turns.",
)


@hookimpl
def register_templates(register):
    register(ATOM)
