"""Zhipu GLM-4 chat models: `[gMASK]<sop>`, then `<|system|>` / `<|user|>` / `<|assistant|>` / `<|observation|>` role
tokens, each followed by its text; nothing closes a turn but the next role token.

- `glm4`: GLM-4-9B-Chat. Checked against its official template (the GLM-4 tokenizer's `default_chat_template`, whose
  message part ggml-org/llama.cpp's template tests also carry): `<|role|>\\n` + content for every message with a
  non-empty content (an empty message is dropped: so is an empty system message here, and an empty user message is
  refused, since dropping it would leave two answers in a row), the answer written after `<|assistant|>` as
  `\\n` + content, `<|assistant|>` as the generation prompt. The official tool format (tools attached to a message,
  `tojson(indent=4)`) is not written: tools are refused.
- `glm4-moe`: GLM-4.5 / GLM-4.5-Air (and LLaMA-Factory's `glm4_moe`). Checked token for token against the official
  template (zai-org/GLM-4.5-Air chat_template.jinja): every answer opens with a think block, `\\n<think>reasoning
  </think>` for answers after the last user message and an empty `\\n<think></think>` before it (the official
  template drops earlier reasoning; an answer text holding `<think>...</think>` is split the same way), then
  `\\n` + the trimmed content; tool definitions as JSON lines in a system turn before everything, calls as
  `<tool_call>name` with `<arg_key>` / `<arg_value>` lines, consecutive results in one `<|observation|>` turn of
  `<tool_response>` blocks.

Training: the official format has no end-of-turn token; an answer ends where the next turn's `<|user|>` or
`<|observation|>` begins, and generation stops there. That role token is trained as the end of the answer before it,
so the model learns to stop; the last answer of a conversation has nothing after it and is trained without an end.
"""

from __future__ import annotations

import json
from typing import Sequence

from tuneforge.core import ChatTemplate, Message, TemplateError, hookimpl
from tuneforge.core.template_formats.renderers import checks_jinja, rewriting
from tuneforge.core.templates import Segment

PREFIX = "[gMASK]<sop>"
TURN_ENDS = ("<|user|>", "<|observation|>")
SPECIAL_TOKENS = ("[gMASK]", "<sop>", "<|system|>", "<|user|>", "<|assistant|>", "<|observation|>")
GLM4_SPECIAL_TOKENS = SPECIAL_TOKENS[:-1]  # glm4 writes no tool results


def train_turn_ends(segments: Sequence[Segment]) -> list[Segment]:
    """Mark the role token that opens the turn after an answer as trained, as that answer's end."""
    out: list[Segment] = []
    for segment in segments:
        marker = next((m for m in TURN_ENDS if segment.text.startswith(m)), None)
        if marker and out and out[-1].trainable and not segment.trainable:
            out.append(Segment(marker, True, out[-1].turn))
            if segment.text != marker:
                out.append(Segment(segment.text[len(marker):], False, segment.turn))
        else:
            out.append(segment)
    return out


# ---------------------------------------------------------------------------------------------------------------
# glm4: GLM-4-9B-Chat
# ---------------------------------------------------------------------------------------------------------------

EMPTY_USER = ("is an empty user message, which the official GLM-4 template drops (leaving two answers in a row): "
              "fill it in or drop the exchange")

_GLM4_TURNS = ChatTemplate(
    name="glm4",
    prefix=PREFIX,
    system="<|system|>\n{content}",
    user="<|user|>\n{content}",
    assistant_prefix="<|assistant|>",
    assistant="\n{content}",
    stop_words=TURN_ENDS,
    special_tokens=GLM4_SPECIAL_TOKENS,
)


def drop_empty_system(template: ChatTemplate, messages: tuple[Message, ...], tools: tuple[dict, ...]):
    for i, message in enumerate(messages):
        if message.role == "user" and message.content == "":
            raise TemplateError(f"message {i} (user) {EMPTY_USER}")
    if messages[0].role == "system" and messages[0].content == "":
        messages = messages[1:]
    return messages, tools


_DROP_JINJA = """{#- GLM-4 writes no message with an empty content #}
{%- for message in messages %}
    {%- if message['role'] == 'user' and message['content'] == '' %}
        {{- raise_exception('message ' ~ loop.index0 ~ ' (user) ' ~ EMPTY_USER) }}
    {%- endif %}
{%- endfor %}
{%- if messages and messages[0]['role'] == 'system' and messages[0]['content'] == '' %}
    {%- set messages = messages[1:] %}
{%- endif %}
""".replace("EMPTY_USER", json.dumps(EMPTY_USER))

_GLM4_TEXT = rewriting(_GLM4_TURNS, drop_empty_system, _DROP_JINJA)


def render_glm4(template, messages, tools, add_generation_prompt):
    return train_turn_ends(_GLM4_TEXT.renderer(template, messages, tools, add_generation_prompt))


GLM4 = ChatTemplate(
    name="glm4",
    renderer=render_glm4,
    jinja=_GLM4_TEXT.jinja,
    stop_words=TURN_ENDS,
    special_tokens=GLM4_SPECIAL_TOKENS,
    reference="THUDM/glm-4-9b-chat",
    description="Zhipu GLM-4-9B-Chat: role tokens without end-of-turn tokens (the next role token is trained as the "
                "end of an answer); empty system dropped as officially; no tool or reasoning turns.",
)

# ---------------------------------------------------------------------------------------------------------------
# glm4-moe: GLM-4.5
# ---------------------------------------------------------------------------------------------------------------

TOOLS_INTRO = ("<|system|>\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
               "You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n")
TOOLS_OUTRO = ("</tools>\n\nFor each function call, output the function name and arguments within the following XML "
               "format:\n<tool_call>{function-name}\n<arg_key>{arg-key-1}</arg_key>\n<arg_value>{arg-value-1}"
               "</arg_value>\n<arg_key>{arg-key-2}</arg_key>\n<arg_value>{arg-value-2}</arg_value>\n...\n</tool_call>")


def _split_think(content: str) -> tuple[str | None, str]:
    """The official template's reading of an answer text that holds its own `<think>...</think>` block."""
    if "</think>" not in content:
        return None, content
    reasoning = content.split("</think>")[0].rstrip("\n").split("<think>")[-1].lstrip("\n")
    return reasoning, content.split("</think>")[-1].lstrip("\n")


def _glm45_answer(message: Message, keep_reasoning: bool) -> str:
    reasoning, content = message.reasoning, message.content
    if reasoning is None:
        reasoning, content = _split_think(content)
    answer = f"\n<think>{reasoning.strip()}</think>" if keep_reasoning and reasoning else "\n<think></think>"
    if content.strip():
        answer += "\n" + content.strip()
    for call in message.tool_calls:
        answer += f"\n<tool_call>{call.name}\n"
        for key, value in call.arguments.items():
            value = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            answer += f"<arg_key>{key}</arg_key>\n<arg_value>{value}</arg_value>\n"
        answer += "</tool_call>"
    return answer


def render_glm4_moe(template: ChatTemplate, messages: Sequence[Message], tools: Sequence[dict],
                    add_generation_prompt: bool) -> list[Segment]:
    """The renderer of `glm4-moe`; the engine has already checked the role order."""
    for i, message in enumerate(messages):
        if any(not isinstance(call.arguments, dict) for call in message.tool_calls):
            raise TemplateError(f"message {i} (assistant) has tool call arguments that are not a JSON object, which "
                                f"chat template '{template.name}' writes as <arg_key> / <arg_value> pairs")
    last_user = max((i for i, m in enumerate(messages) if m.role == "user"), default=-1)
    tools_text = TOOLS_INTRO + "".join(json.dumps(t, ensure_ascii=False) + "\n" for t in tools) + TOOLS_OUTRO
    segments = [Segment(PREFIX + (tools_text if tools else ""), False, 0)]
    turn = 0
    for i, message in enumerate(messages):
        if message.role == "system":
            segments.append(Segment("<|system|>\n" + message.content, False, turn))
        elif message.role == "user":
            segments.append(Segment("<|user|>\n" + message.content, False, turn))
        elif message.role == "tool":
            opening = "" if messages[i - 1].role == "tool" else "<|observation|>"
            segments.append(Segment(f"{opening}\n<tool_response>\n{message.content}\n</tool_response>", False, turn))
        else:
            segments.append(Segment("<|assistant|>", False, turn))
            segments.append(Segment(_glm45_answer(message, i > last_user), True, turn))
            turn += 1
    if add_generation_prompt:
        segments.append(Segment("<|assistant|>", False, turn))
    return train_turn_ends(segments)


_GLM4_MOE_JINJA = r"""{#- tuneforge chat template 'glm4-moe': the GLM-4.5 format (tuneforge.plugins.templates.glm) #}
@CHECKS@
{%- for message in messages %}
    {%- set position = loop.index0 %}
    {%- for call in message['tool_calls'] or [] %}
        {%- set function = call['function'] if call['function'] is defined else call %}
        {%- if function['arguments'] is not mapping %}
            {{- raise_exception('message ' ~ position ~ " (assistant) has tool call arguments that are not a JSON object, which chat template 'glm4-moe' writes as <arg_key> / <arg_value> pairs") }}
        {%- endif %}
    {%- endfor %}
{%- endfor %}
{{- "[gMASK]<sop>" }}
{%- if tools %}
    {{- @TOOLS_INTRO@ }}
    {%- for tool in tools %}
        {{- tool | tojson + "\n" }}
    {%- endfor %}
    {{- @TOOLS_OUTRO@ }}
{%- endif %}
{%- set glm = namespace(last_user=-1, prev=none) %}
{%- for message in messages %}
    {%- if message['role'] == 'user' %}
        {%- set glm.last_user = loop.index0 %}
    {%- endif %}
{%- endfor %}
{%- for message in messages %}
    {%- set content = message['content'] or '' %}
    {%- if message['role'] == 'system' %}
        {{- "<|system|>\n" + content }}
    {%- elif message['role'] == 'user' %}
        {{- "<|user|>\n" + content }}
    {%- elif message['role'] == 'tool' %}
        {%- if glm.prev != 'tool' %}
            {{- "<|observation|>" }}
        {%- endif %}
        {{- "\n<tool_response>\n" + content + "\n</tool_response>" }}
    {%- else %}
        {%- set reasoning = message['reasoning_content'] if message['reasoning_content'] is string else none %}
        {%- if reasoning is none and '</think>' in content %}
            {%- set reasoning = content.split('</think>')[0].rstrip('\n').split('<think>')[-1].lstrip('\n') %}
            {%- set content = content.split('</think>')[-1].lstrip('\n') %}
        {%- endif %}
        {{- "<|assistant|>" }}
        {%- if loop.index0 > glm.last_user and reasoning %}
            {{- "\n<think>" + reasoning.strip() + "</think>" }}
        {%- else %}
            {{- "\n<think></think>" }}
        {%- endif %}
        {%- if content.strip() %}
            {{- "\n" + content.strip() }}
        {%- endif %}
        {%- for call in message['tool_calls'] or [] %}
            {%- set function = call['function'] if call['function'] is defined else call %}
            {{- "\n<tool_call>" + function['name'] + "\n" }}
            {%- for key, value in function['arguments'].items() %}
                {{- "<arg_key>" + key + "</arg_key>\n<arg_value>" + (value if value is string else value | tojson) + "</arg_value>\n" }}
            {%- endfor %}
            {{- "</tool_call>" }}
        {%- endfor %}
    {%- endif %}
    {%- set glm.prev = message['role'] %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- "<|assistant|>" }}
{%- endif %}"""

GLM4_MOE = ChatTemplate(
    name="glm4-moe",
    renderer=render_glm4_moe,
    jinja=_GLM4_MOE_JINJA.replace("@CHECKS@", checks_jinja("glm4-moe", tools_ok=True, tool_calls=True,
                                                           reasoning=True))
                         .replace("@TOOLS_INTRO@", json.dumps(TOOLS_INTRO, ensure_ascii=False))
                         .replace("@TOOLS_OUTRO@", json.dumps(TOOLS_OUTRO, ensure_ascii=False)),
    stop_words=TURN_ENDS,
    special_tokens=SPECIAL_TOKENS,
    reference="zai-org/GLM-4.5-Air",
    description="Zhipu GLM-4.5 / GLM-4.5-Air: think blocks (kept after the last user message), XML tool calls, "
                "<|observation|> results; the next role token is trained as the end of an answer.",
)


@hookimpl
def register_templates(register):
    register(GLM4)
    register(GLM4_MOE)
