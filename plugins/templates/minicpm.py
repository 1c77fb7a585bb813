"""OpenBMB MiniCPM chat formats: `cpm` (MiniCPM-2B), `cpm3` (MiniCPM3-4B) and `cpm4` (MiniCPM4).

Each is checked against its model's official template (`tokenizer_config.json`, latest revision):

- `cpm`, MiniCPM-2B-sft (revision 4ec16344): `<用户>` + question + `<AI>`, the answer and a system text written bare,
  no bos, no generation prompt (`<AI>` ends the question) and nothing closing an answer (the model stops at its eos
  `</s>`, which the official text never writes, so it is not trained);
- `cpm3`, MiniCPM3-4B (revision bfe2f6c0): ChatML with no bos, where an empty system message writes no system turn;
- `cpm4`, MiniCPM4-8B and MiniCPM4-0.5B: plain ChatML for every message, an empty system turn included.

MiniCPM3's tool calling (tools as Python signatures, calls as Python code) and its `thought` field are not
reproduced.
"""

from tuneforge.core import ChatTemplate, hookimpl
from tuneforge.core.template_formats.quirks import with_quirks

CPM = ChatTemplate(
    name="cpm",
    system="{content}",
    user="<用户>{content}<AI>",
    stop_words=("</s>",),
    special_tokens=("<用户>", "<AI>"),
    reference="openbmb/MiniCPM-2B-sft-bf16",
    description="OpenBMB MiniCPM-2B sft/dpo; no end-of-turn token is written or trained; no tool or reasoning "
                "turns.",
)

_CHATML = dict(
    system="<|im_start|>system\n{content}<|im_end|>\n",
    user="<|im_start|>user\n{content}<|im_end|>\n",
    assistant_prefix="<|im_start|>assistant\n",
    assistant_suffix="<|im_end|>",
    assistant_separator="\n",
    special_tokens=("<|im_start|>", "<|im_end|>"),
)

CPM3 = with_quirks(ChatTemplate(
    name="cpm3",
    reference="openbmb/MiniCPM3-4B",
    description="OpenBMB MiniCPM3-4B (ChatML, an empty system message writes nothing); no tool or reasoning "
                "turns.",
    **_CHATML,
), skip_empty_system=True)

CPM4 = ChatTemplate(
    name="cpm4",
    reference="openbmb/MiniCPM4-8B",
    description="OpenBMB MiniCPM4 (plain ChatML, no bos); no tool or reasoning turns.",
    **_CHATML,
)


@hookimpl
def register_templates(register):
    register(CPM)
    register(CPM3)
    register(CPM4)
