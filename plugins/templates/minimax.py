"""MiniMax chat models.

- `minimax2`: MiniMax-M2. Checked against the official template (chat_template.jinja of MiniMaxAI/MiniMax-M2,
  revision f62f643a, "improve model identity"): `]~!b[]~b]system\\n` + the system text (the model identity "You are
  MiniMax-M2, a helpful AI assistant built by MiniMax. Knowledge cutoff: 2025-06." when it is missing or empty) +
  `[e~[\\n`, then `]~b]user\\n...[e~[\\n` and `]~b]ai\\n...[e~[\\n` turns; an answer after the last user message
  starts with its reasoning as `<think>\\n...\\n</think>\\n\\n` (earlier reasoning is dropped, as officially; an
  answer text holding `<think>...</think>` is split the same way); the generation prompt is `]~b]ai\\n<think>\\n`.
  Its tool format (`<minimax:tool_call>` invoke blocks) is not written: tools are refused.
- `minimax1`: MiniMax-Text-01. No official template was found to check against: the turns are the ones of the
  official MiniMax-VL-01 chat template (MiniMax's README) for text content, the same as LLaMA-Factory's `minimax1`
  and ms-swift's `minimax` (whose test decodes MiniMax-Text-01's tokenizer to this text):
  `<beginning_of_sentence>system ai_setting=assistant\\n...<end_of_sentence>\\n`,
  `<beginning_of_sentence>user name=user\\n...<end_of_sentence>\\n`,
  `<beginning_of_sentence>ai name=assistant\\n...<end_of_sentence>\\n`; no default system prompt (LLaMA-Factory adds
  "You are a helpful assistant.", which the VL-01 template does not); no tool or reasoning turns.
"""

from __future__ import annotations

import dataclasses
import json

from tuneforge.core import ChatTemplate, Message, hookimpl
from tuneforge.core.template_formats.renderers import rewriting
from tuneforge.core.templates import Segment

MINIMAX1 = ChatTemplate(
    name="minimax1",
    system="<beginning_of_sentence>system ai_setting=assistant\n{content}<end_of_sentence>\n",
    user="<beginning_of_sentence>user name=user\n{content}<end_of_sentence>\n",
    assistant_prefix="<beginning_of_sentence>ai name=assistant\n",
    assistant_suffix="<end_of_sentence>",
    assistant_separator="\n",
    stop_words=("<end_of_sentence>",),
    special_tokens=("<beginning_of_sentence>", "<end_of_sentence>"),
    reference=None,
    description="MiniMax-Text-01 (documented format: MiniMax-VL-01's official turns; no official Text-01 template "
                "found); no default system prompt; no tool or reasoning turns.",
)

MINIMAX2_IDENTITY = "You are MiniMax-M2, a helpful AI assistant built by MiniMax. Knowledge cutoff: 2025-06."

# MiniMax-M2 turns after `minimax2_reasoning` has kept only the reasoning the official template writes.
_MINIMAX2_TURNS = ChatTemplate(
    name="minimax2",
    system="]~!b[]~b]system\n{content}[e~[\n",
    default_system=MINIMAX2_IDENTITY,
    user="]~b]user\n{content}[e~[\n",
    assistant_prefix="]~b]ai\n",
    reasoning="<think>\n{reasoning}\n</think>\n\n",
    assistant_suffix="[e~[",
    assistant_separator="\n",
    stop_words=("[e~[",),
    special_tokens=("]~!b[", "]~b]", "[e~["),
)


def minimax2_reasoning(template: ChatTemplate, messages: tuple[Message, ...], tools: tuple[dict, ...]):
    """The official MiniMax-M2 rewrite: an empty system text means the default identity; reasoning is written only
    after the last user message (from the reasoning field, or split out of the answer text)."""
    offset = 1 if messages[0].role == "system" else 0
    last_user = max((i for i, m in enumerate(messages[offset:]) if m.role == "user"), default=-1)
    out = [] if offset and messages[0].content == "" else list(messages[:offset])
    for i, message in enumerate(messages[offset:]):
        if message.role == "assistant":
            reasoning, content = message.reasoning, message.content
            if reasoning is None and "</think>" in content:
                reasoning = content.split("</think>")[0].strip("\n").split("<think>")[-1].strip("\n")
                content = content.split("</think>")[-1].strip("\n")
            keep = i > last_user and reasoning
            message = dataclasses.replace(message, content=content, reasoning=reasoning if keep else None)
        out.append(message)
    return tuple(out), tools


_MINIMAX2_JINJA = """{#- MiniMax-M2: the identity for an empty system text; reasoning only after the last user message #}
{%- set offset = 1 if messages and messages[0]['role'] == 'system' else 0 %}
{%- set minimax = namespace(messages=[], last_user=-1) %}
{%- for message in messages[offset:] %}
    {%- if message['role'] == 'user' %}
        {%- set minimax.last_user = loop.index0 %}
    {%- endif %}
{%- endfor %}
{%- for message in messages %}
    {%- if loop.first and offset and not message['content'] %}
    {%- elif message['role'] == 'assistant' %}
        {%- set content = message['content'] or '' %}
        {%- set reasoning = message['reasoning_content'] if message['reasoning_content'] is string else none %}
        {%- if reasoning is none and '</think>' in content %}
            {%- set reasoning = content.split('</think>')[0].strip('\\n').split('<think>')[-1].strip('\\n') %}
            {%- set content = content.split('</think>')[-1].strip('\\n') %}
        {%- endif %}
        {%- set keep = loop.index0 - offset > minimax.last_user and reasoning %}
        {%- set minimax.messages = minimax.messages + [dict(message, content=content, reasoning_content=reasoning if keep else none)] %}
    {%- else %}
        {%- set minimax.messages = minimax.messages + [message] %}
    {%- endif %}
{%- endfor %}
{%- set messages = minimax.messages %}
"""
_MINIMAX2_TEXT = rewriting(_MINIMAX2_TURNS, minimax2_reasoning, _MINIMAX2_JINJA)


def render_minimax2(template, messages, tools, add_generation_prompt):
    segments = _MINIMAX2_TEXT.renderer(template, messages, tools, add_generation_prompt)
    if add_generation_prompt:  # the official generation prompt opens the think block
        segments.append(Segment("<think>\n", False, segments[-1].turn))
    return segments


MINIMAX2 = dataclasses.replace(
    _MINIMAX2_TEXT,
    renderer=render_minimax2,
    jinja=_MINIMAX2_TEXT.jinja + "\n{%- if add_generation_prompt %}\n    {{- " + json.dumps("<think>\n")
    + " }}\n{%- endif %}",
    reference="MiniMaxAI/MiniMax-M2",
    description="MiniMax-M2: ]~b] turns closed by [e~[, the official identity as default system prompt, reasoning "
                "kept after the last user message; no tool turns.",
)


@hookimpl
def register_templates(register):
    register(MINIMAX1)
    register(MINIMAX2)
