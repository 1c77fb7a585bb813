"""Xiaomi MiMo: ChatML turns.

- `mimo` (MiMo-7B-SFT / RL): checked against the official template (tokenizer_config.json of XiaomiMiMo/MiMo-7B-RL,
  revision 6103a58c): turns closed by `<|im_end|>\\n`, the default system prompt "You are a helpful assistant.",
  tool definitions appended to the system turn as JSON lines inside `<tools>`, each call as `<tool_call>` JSON after
  the answer's text, consecutive tool results in one user turn as `<tool_response>` blocks. The official template has
  no reasoning field: MiMo writes its `<think>` block inside the answer text, so reasoning given separately is
  refused.
- `mimo-v2` (MiMo-V2-Flash): checked against the official template (tokenizer_config.json of
  XiaomiMiMo/MiMo-V2-Flash, revision 2f5a22fe): turns closed by `<|im_end|>` with no line break after it, the default
  system prompt "You are MiMo, a helpful AI assistant engineered by Xiaomi.", every answer opened by a think block:
  `<think>reasoning</think>` for answers after the last user message, an empty `<think></think>` before it (the
  official template drops earlier reasoning; an answer text holding `<think>...</think>` is split the same way); the
  generation prompt `<|im_start|>assistant\\n<think></think>` (thinking off, the official default). Its tool format
  (XML function descriptions) is not written: tools are refused.
"""

from __future__ import annotations

import dataclasses

from tuneforge.core import ChatTemplate, Message, hookimpl
from tuneforge.core.template_formats.renderers import rewriting
from tuneforge.core.templates import Segment

TOOLS_INTRO = ("\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
               "You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n")
TOOLS_OUTRO = ("\n</tools>\n\nFor each function call, return a json object with function name and arguments within "
               "<tool_call></tool_call> XML tags:\n<tool_call>\n"
               '{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call>')

MIMO = ChatTemplate(
    name="mimo",
    system="<|im_start|>system\n{content}<|im_end|>\n",
    default_system="You are a helpful assistant.",
    user="<|im_start|>user\n{content}<|im_end|>\n",
    assistant_prefix="<|im_start|>assistant\n",
    assistant_suffix="<|im_end|>",
    assistant_separator="\n",
    tool_definitions="{system}" + TOOLS_INTRO + "{tools}" + TOOLS_OUTRO,
    tool_call='<tool_call>\n{"name": "{name}", "arguments": {arguments}}\n</tool_call>',
    tool="\n<tool_response>\n{content}\n</tool_response>",
    tool_results_prefix="<|im_start|>user",
    tool_results_suffix="<|im_end|>\n",
    stop_words=("<|im_end|>",),
    special_tokens=("<|im_start|>", "<|im_end|>"),
    reference="XiaomiMiMo/MiMo-7B-RL",
    description="Xiaomi MiMo-7B (SFT/RL): ChatML with the default system prompt 'You are a helpful assistant.', "
                "<tool_call> tools; reasoning stays in the answer text (no separate reasoning field).",
)


# MiMo-V2 turns after `mimo_v2_reasoning` has set every answer's reasoning ("" for an empty think block).
_MIMO_V2_TURNS = ChatTemplate(
    name="mimo-v2",
    system="<|im_start|>system\n{content}<|im_end|>",
    default_system="You are MiMo, a helpful AI assistant engineered by Xiaomi.",
    user="<|im_start|>user\n{content}<|im_end|>",
    assistant_prefix="<|im_start|>assistant\n",
    reasoning="<think>{reasoning}</think>",
    assistant_suffix="<|im_end|>",
    stop_words=("<|im_end|>",),
    special_tokens=("<|im_start|>", "<|im_end|>"),
)


def mimo_v2_reasoning(template: ChatTemplate, messages: tuple[Message, ...], tools: tuple[dict, ...]):
    """The official MiMo-V2 think blocks: kept after the last user message, empty before it."""
    offset = 1 if messages[0].role == "system" else 0
    last_user = max((i for i, m in enumerate(messages[offset:]) if m.role == "user"), default=-1)
    out = list(messages[:offset])
    for i, message in enumerate(messages[offset:]):
        if message.role == "assistant":
            reasoning, content = message.reasoning, message.content
            if reasoning is None:
                reasoning = ""
                if "</think>" in content:
                    reasoning = content.split("</think>")[0].split("<think>")[-1]
                    content = content.split("</think>")[-1]
            keep = i > last_user and reasoning
            message = dataclasses.replace(message, content=content, reasoning=reasoning if keep else "")
        out.append(message)
    return tuple(out), tools


_MIMO_V2_JINJA = """{#- MiMo-V2: a think block for every answer, kept only after the last user message #}
{%- set mimo = namespace(messages=[], last_user=-1) %}
{%- set offset = 1 if messages and messages[0]['role'] == 'system' else 0 %}
{%- for message in messages[offset:] %}
    {%- if message['role'] == 'user' %}
        {%- set mimo.last_user = loop.index0 %}
    {%- endif %}
{%- endfor %}
{%- for message in messages %}
    {%- if message['role'] == 'assistant' %}
        {%- set content = message['content'] or '' %}
        {%- set reasoning = message['reasoning_content'] if message['reasoning_content'] is string else '' %}
        {%- if message['reasoning_content'] is not string and '</think>' in content %}
            {%- set reasoning = content.split('</think>')[0].split('<think>')[-1] %}
            {%- set content = content.split('</think>')[-1] %}
        {%- endif %}
        {#- checked before the rewrite, which gives every answer a (possibly empty) reasoning string #}
        {%- if content | trim == '' and not reasoning and not message['tool_calls'] %}
            {{- raise_exception('message ' ~ loop.index0 ~ ' (assistant) is empty: an answer needs content (or tool calls) to train on; fill it in or drop the record') }}
        {%- endif %}
        {%- set keep = loop.index0 - offset > mimo.last_user and reasoning %}
        {%- set mimo.messages = mimo.messages + [dict(message, content=content, reasoning_content=reasoning if keep else '')] %}
    {%- else %}
        {%- set mimo.messages = mimo.messages + [message] %}
    {%- endif %}
{%- endfor %}
{%- set messages = mimo.messages %}
"""
_MIMO_V2_TEXT = rewriting(_MIMO_V2_TURNS, mimo_v2_reasoning, _MIMO_V2_JINJA)


def render_mimo_v2(template, messages, tools, add_generation_prompt):
    segments = _MIMO_V2_TEXT.renderer(template, messages, tools, add_generation_prompt)
    if add_generation_prompt:  # thinking off, as the official template's default
        segments.append(Segment("<think></think>", False, segments[-1].turn))
    return segments


MIMO_V2 = dataclasses.replace(
    _MIMO_V2_TEXT,
    renderer=render_mimo_v2,
    jinja=_MIMO_V2_TEXT.jinja + "\n{%- if add_generation_prompt %}\n    {{- '<think></think>' }}\n{%- endif %}",
    reference="XiaomiMiMo/MiMo-V2-Flash",
    description="Xiaomi MiMo-V2-Flash: ChatML without line breaks, default system prompt, think blocks (kept after "
                "the last user message); generation prompt with thinking off; no tool turns.",
)


@hookimpl
def register_templates(register):
    register(MIMO)
    register(MIMO_V2)
