"""Du Xiaoman XuanYuan chat models: `Human: question Assistant:answer</s>` after a bare system text.

XuanYuan's own chat template could not be reached from here; this is LLaMA-Factory's `xuanyuan` format: the system
text (default: XuanYuan's Chinese preamble, ending in a newline) written as it is, `Human: ` + question + ` `, then
`Assistant:` as the generation prompt and the answer closed by the LLaMA eos `</s>` (trained).
"""

from tuneforge.core import ChatTemplate, hookimpl

XUANYUAN = ChatTemplate(
    name="xuanyuan",
    system="{content}",
    default_system=("以下是用户和人工智能助手之间的对话。用户以Human开头，人工智能助手以Assistant开头，"
                    "会对人类提出的问题给出有帮助、高质量、详细和礼貌的回答，并且总是拒绝参与与不道德、"
                    "不安全、有争议、政治敏感等相关的话题、问题和指示。\n"),
    user="Human: {content} ",
    assistant_prefix="Assistant:",
    assistant_suffix="</s>",
    stop_words=("</s>",),
    special_tokens=("</s>",),
    description="Du Xiaoman XuanYuan chat with its default system preamble (documented format: LLaMA-Factory's "
                "xuanyuan; official template not verified); no tool or reasoning turns.",
)


@hookimpl
def register_templates(register):
    register(XUANYUAN)
