"""China Telecom TeleChat and TeleChat2: `<_user>question<_bot>answer<_end>` with a `<_system>` prefix.

Neither model's own chat template could be reached from here; these are LLaMA-Factory's `telechat` and `telechat2`
formats with TeleChat's eos `<_end>` closing each answer (trained): TeleChat closes the system text with `<_end>`,
TeleChat2 does not and has a default system prompt.
"""

from tuneforge.core import ChatTemplate, hookimpl

TOKENS = ("<_system>", "<_user>", "<_bot>", "<_end>")

TELECHAT = ChatTemplate(
    name="telechat",
    system="<_system>{content}<_end>",
    user="<_user>{content}",
    assistant_prefix="<_bot>",
    assistant_suffix="<_end>",
    stop_words=("<_end>",),
    special_tokens=TOKENS,
    description="China Telecom TeleChat (documented format: LLaMA-Factory's telechat; official template not "
                "verified); no default system, tool or reasoning turns.",
)

TELECHAT2 = ChatTemplate(
    name="telechat2",
    system="<_system>{content}",
    default_system=("你是中国电信星辰语义大模型，英文名是TeleChat，你是由中电信人工智能科技有限公司和中国电信人工智能研究院"
                    "（TeleAI）研发的人工智能助手。"),
    user="<_user>{content}",
    assistant_prefix="<_bot>",
    assistant_suffix="<_end>",
    stop_words=("<_end>",),
    special_tokens=TOKENS,
    description="China Telecom TeleChat2 with its default system prompt (documented format: LLaMA-Factory's "
                "telechat2; official template not verified); no tool or reasoning turns.",
)


@hookimpl
def register_templates(register):
    register(TELECHAT)
    register(TELECHAT2)
