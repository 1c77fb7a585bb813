"""BELLE (BLOOM / LLaMA based): `<s>Human: ...\\n\\nBelle: answer</s>\\n\\n`.

BELLE has no official chat template in its tokenizer; this is the prompt format of its model cards as LLaMA-Factory
documents it (template `belle`): the bos once, the eos `</s>` after each answer (trained), a blank line after it.
"""

from tuneforge.core import ChatTemplate, hookimpl

BELLE = ChatTemplate(
    name="belle",
    prefix="<s>",
    system="{content}",
    user="Human: {content}\n\n",
    assistant_prefix="Belle: ",
    assistant_suffix="</s>",
    assistant_separator="\n\n",
    special_tokens=("<s>", "</s>"),
    description="BelleGroup BELLE models (no official chat template; model card format as documented by "
                "LLaMA-Factory); no tool or reasoning turns.",
)


@hookimpl
def register_templates(register):
    register(BELLE)
