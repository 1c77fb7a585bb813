"""Google PaliGemma: the text part of its prefix-LM format, `<bos>prefix\\nanswer<eos>`.

PaliGemma (the pretrained and fine-tuned models, not `paligemma_chat`) has no chat template; this is LLaMA-Factory's
`paligemma` format without the image tokens that go before the bos: the question ("prefix") followed by a newline,
the answer ("suffix") closed by Gemma's eos `<eos>` (trained). A system text is folded into the first question, as
LLaMA-Factory does; there is no generation prompt beyond the newline.
"""

from tuneforge.core import ChatTemplate, hookimpl

PALIGEMMA = ChatTemplate(
    name="paligemma",
    prefix="<bos>",
    system_in_user="{system}{content}",
    user="{content}\n",
    assistant_suffix="<eos>",
    stop_words=("<eos>",),
    special_tokens=("<bos>", "<eos>"),
    description="Google PaliGemma, text part only (documented format: LLaMA-Factory's paligemma; no official chat "
                "template); no tool or reasoning turns.",
)


@hookimpl
def register_templates(register):
    register(PALIGEMMA)
