"""01.AI Yi-VL: the text part of its LLaVA-style conversation, `### Human: ...\\n### Assistant:answer\\n`.

Yi-VL's own template could not be reached from here; this is LLaMA-Factory's `yi_vl` format without the image
placeholder handling: Yi-VL's bilingual default system prompt written bare, `### Human: ` + question + `\\n`,
`### Assistant:` as the generation prompt, and each answer followed by a newline, trained with it as
LLaMA-Factory does (the format writes no end-of-turn token; generation stops at the next `###`).
"""

from tuneforge.core import ChatTemplate, hookimpl

YI_VL = ChatTemplate(
    name="yi-vl",
    system="{content}",
    default_system=(
        "This is a chat between an inquisitive human and an AI assistant. Assume the role of the AI assistant. Read "
        "all the images carefully, and respond to the human's questions with informative, helpful, detailed and "
        "polite answers. 这是一个好奇的人类和一个人工智能助手之间的对话。假设你扮演这个AI助手的角色。"
        "仔细阅读所有的图像，并对人类的问题做出信息丰富、有帮助、详细的和礼貌的回答。\n\n"),
    user="### Human: {content}\n",
    assistant_prefix="### Assistant:",
    assistant_suffix="\n",
    stop_words=("###",),
    description="01.AI Yi-VL, text part only (documented format: LLaMA-Factory's yi_vl; official template not "
                "verified); no tool or reasoning turns.",
)


@hookimpl
def register_templates(register):
    register(YI_VL)
