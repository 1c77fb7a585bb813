"""vivo BlueLM-7B-Chat: `[|Human|]:question[|AI|]:answer</s>`.

BlueLM has no official chat template in its tokenizer; this is the prompt format of its model card as LLaMA-Factory
documents it (template `bluelm`): `[|Human|]:` and `[|AI|]:` are single tokens of its vocabulary, the eos `</s>`
closes each answer (trained).
"""

from tuneforge.core import ChatTemplate, hookimpl

BLUELM = ChatTemplate(
    name="bluelm",
    system="{content}",
    user="[|Human|]:{content}",
    assistant_prefix="[|AI|]:",
    assistant_suffix="</s>",
    special_tokens=("[|Human|]:", "[|AI|]:", "</s>"),
    description="vivo BlueLM-7B-Chat (no official chat template; model card format as documented by "
                "LLaMA-Factory); no tool or reasoning turns.",
)


@hookimpl
def register_templates(register):
    register(BLUELM)
