"""Stanford Alpaca's instruction format: a fixed preamble, `### Instruction:` and `### Response:` blocks.

Alpaca has no official chat template (its tokenizer carries none); this is the format of the Alpaca training
prompt as LLaMA-Factory documents it (template `alpaca`): the preamble as the default system text, each answer
followed by the eos `</s>` (trained) and a blank line (not trained). As in LLaMA-Factory, an empty system message
counts as none (the preamble is written).
"""

from tuneforge.core import ChatTemplate, hookimpl
from tuneforge.core.template_formats.quirks import with_quirks

ALPACA = with_quirks(ChatTemplate(
    name="alpaca",
    system="{content}",
    default_system=("Below is an instruction that describes a task. Write a response that appropriately completes "
                    "the request.\n\n"),
    user="### Instruction:\n{content}\n\n",
    assistant_prefix="### Response:\n",
    assistant_suffix="</s>",
    assistant_separator="\n\n",
    special_tokens=("</s>",),
    description="Stanford Alpaca instruction format (no official chat template; LLaMA-Factory's documented format, "
                "eos `</s>`); no tool or reasoning turns.",
), skip_empty_system=True)


@hookimpl
def register_templates(register):
    register(ALPACA)
