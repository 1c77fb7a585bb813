"""Tencent Hunyuan-A13B-Instruct: `<|startoftext|>` opening each user turn, `<|extra_0|>` closing it, `<|eos|>` closing
each answer; a system prompt opens the first user turn, closed by `<|extra_4|>`.

Checked against the official template (tokenizer_config.json of tencent/Hunyuan-A13B-Instruct, revision 600f638f):
`<|startoftext|>system<|extra_4|>user<|extra_0|>answer<|eos|>`, then `<|startoftext|>user<|extra_0|>answer<|eos|>`
for each later exchange (LLaMA-Factory's `hunyuan` drops that later `<|startoftext|>`); contents as they are; no
generation prompt, no default system prompt. For an empty system message the official template calls `dict.update`,
which transformers' sandboxed Jinja refuses (and which, where it runs, writes `<|startoftext|>` twice before the
first user text): an empty system message is refused (the dataset formats drop empty system prompts before a
template sees them). Reasoning stays in the answer text (no reasoning field); the official tool format (a dated
Chinese instruction block) is not written: tools are refused.
"""

from __future__ import annotations

import json

from tuneforge.core import ChatTemplate, Message, TemplateError, hookimpl
from tuneforge.core.template_formats.renderers import rewriting

EMPTY_SYSTEM = ("chat template 'hunyuan' cannot write an empty system message (the official template fails on it): "
                "drop the empty system message")

_HUNYUAN_TURNS = ChatTemplate(
    name="hunyuan",
    system_in_user="{system}<|extra_4|>{content}",
    user="<|startoftext|>{content}<|extra_0|>",
    assistant_suffix="<|eos|>",
    stop_words=("<|eos|>",),
    special_tokens=("<|startoftext|>", "<|extra_4|>", "<|extra_0|>", "<|eos|>"),
)


def refuse_empty_system(template: ChatTemplate, messages: tuple[Message, ...], tools: tuple[dict, ...]):
    if messages[0].role == "system" and messages[0].content == "":
        raise TemplateError(EMPTY_SYSTEM)
    return messages, tools


_REFUSE_JINJA = """{%- if messages and messages[0]['role'] == 'system' and messages[0]['content'] == '' %}
    {{- raise_exception(EMPTY_SYSTEM) }}
{%- endif %}
""".replace("EMPTY_SYSTEM", json.dumps(EMPTY_SYSTEM))

HUNYUAN = rewriting(
    _HUNYUAN_TURNS, refuse_empty_system, _REFUSE_JINJA,
    reference="tencent/Hunyuan-A13B-Instruct",
    description="Tencent Hunyuan-A13B-Instruct; system prompt in the first user turn (an empty one is refused); no "
                "tool or separate reasoning turns.",
)


@hookimpl
def register_templates(register):
    register(HUNYUAN)
