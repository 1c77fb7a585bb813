"""The Qwen3 chat format: ChatML turns, tool definitions in the system turn, `<tool_call>` calls, tool results grouped
in a user turn, and (for the hybrid thinking models) `<think>` reasoning blocks.

What the official Qwen3 template writes, and so what this renderer writes:

- a system turn only when there is a system message (no default), or when tools are given: then the system text,
  `\\n\\n` if there is one, and the tool instructions with each tool as JSON on its own line;
- reasoning (the message's `reasoning`, or else a `<think>...</think>` block at the start of its content) is written
  only for the assistant messages after the last user query: `<think>\\n` + reasoning + `\\n</think>\\n\\n` + content.
  The last message always gets the block, empty when it has no reasoning; an intermediate tool-calling step after the
  last query gets it only when it has reasoning. Reasoning on earlier turns is DROPPED, so it is neither shown nor
  trained: to train reasoning, make it the last turn of a conversation (one conversation per turn);
- the think block, the answer, its tool calls and `<|im_end|>` are trained; the `\\n` after `<|im_end|>` is not.

The Instruct-2507 models (no thinking) use the same format without any reasoning handling: `<think>` in the content
is plain text there, and a message with `reasoning` is refused.
"""

from __future__ import annotations

import json
from typing import Callable, Sequence

from tuneforge.core.records import Message
from tuneforge.core.template_formats.renderers import arguments_json, check_supported, checks_jinja
from tuneforge.core.templates import ChatTemplate, Segment

IM_START = "<|im_start|>"
IM_END = "<|im_end|>"
SPECIAL_TOKENS = (IM_START, IM_END)
TOOLS_INTRO = ("# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
               "You are provided with function signatures within <tools></tools> XML tags:\n<tools>")
TOOLS_OUTRO = ("\n</tools>\n\nFor each function call, return a json object with function name and arguments within "
               '<tool_call></tool_call> XML tags:\n<tool_call>\n{"name": <function-name>, "arguments": '
               "<args-json-object>}\n</tool_call>")


def split_reasoning(message: Message) -> tuple[str, str]:
    """(reasoning, content) of an assistant message as the official template reads them: the `reasoning` field, or
    else a `<think>...</think>` block at the start of the content (taken out of it)."""
    content = message.content
    if message.reasoning is not None:
        return message.reasoning, content
    if "</think>" in content:
        reasoning = content.split("</think>")[0].rstrip("\n").split("<think>")[-1].lstrip("\n")
        return reasoning, content.split("</think>")[-1].lstrip("\n")
    return "", content


def _last_query_index(messages: Sequence[Message]) -> int:
    # The last user message that is not a tool response pasted as text; the official default is the last index.
    for index in range(len(messages) - 1, -1, -1):
        content = messages[index].content
        if messages[index].role == "user" and not (content.startswith("<tool_response>")
                                                    and content.endswith("</tool_response>")):
            return index
    return len(messages) - 1


def _answer(message: Message, thinking: bool, show_reasoning: bool, last: bool) -> str:
    """The answer of an assistant message (without the `<|im_start|>assistant\\n` header and `<|im_end|>`).
    show_reasoning: the message comes after the last user query, where the think block is written."""
    reasoning, content = split_reasoning(message) if thinking else ("", message.content)
    text = content
    if show_reasoning and (last or reasoning):
        text = "<think>\n" + reasoning.strip("\n") + "\n</think>\n\n" + content.lstrip("\n")
    for k, call in enumerate(message.tool_calls):
        if k or content:
            text += "\n"
        text += f'<tool_call>\n{{"name": "{call.name}", "arguments": {arguments_json(call.arguments)}}}\n</tool_call>'
    return text


def qwen3_renderer(thinking: bool) -> Callable[..., list[Segment]]:
    """The renderer of the hybrid thinking models (`thinking`) or of the Instruct-2507 models."""

    def render_qwen3(template: ChatTemplate, messages: Sequence[Message], tools: Sequence[dict],
                     add_generation_prompt: bool) -> list[Segment]:
        check_supported(template.name, messages, tools, tools_ok=True, tool_calls=True, reasoning=thinking)
        segments: list[Segment] = []

        def emit(text: str, trainable: bool, turn: int) -> None:
            if text:
                segments.append(Segment(text, trainable, turn))

        system = messages[0].content if messages[0].role == "system" else None
        if tools:
            definitions = "".join("\n" + json.dumps(tool, ensure_ascii=False) for tool in tools)
            head = system + "\n\n" if system is not None else ""
            emit(f"{IM_START}system\n{head}{TOOLS_INTRO}{definitions}{TOOLS_OUTRO}{IM_END}\n", False, 0)
        elif system is not None:
            emit(f"{IM_START}system\n{system}{IM_END}\n", False, 0)

        last_query = _last_query_index(messages)
        turn = 0
        for i, message in enumerate(messages):
            if message.role == "user":
                emit(f"{IM_START}user\n{message.content}{IM_END}\n", False, turn)
            elif message.role == "tool":
                opening = f"{IM_START}user" if messages[i - 1].role != "tool" else ""
                closing = f"{IM_END}\n" if i + 1 == len(messages) or messages[i + 1].role != "tool" else ""
                emit(f"{opening}\n<tool_response>\n{message.content}\n</tool_response>{closing}", False, turn)
            elif message.role == "assistant":
                answer = _answer(message, thinking, thinking and i > last_query, i + 1 == len(messages))
                emit(f"{IM_START}assistant\n", False, turn)
                emit(answer + IM_END, True, turn)
                emit("\n", False, turn)
                turn += 1
        if add_generation_prompt:
            emit(f"{IM_START}assistant\n", False, turn)
        return segments

    return render_qwen3


_JINJA = r"""{#- tuneforge chat template '@NAME@': the @MODELS@ format (tuneforge.core.template_formats.qwen3) #}
@CHECKS@
{%- if tools %}
    {{- '<|im_start|>system\n' }}
    {%- if messages[0]['role'] == 'system' %}
        {{- messages[0]['content'] + '\n\n' }}
    {%- endif %}
    {{- @TOOLS_INTRO@ }}
    {%- for tool in tools %}
        {{- '\n' + tool | tojson }}
    {%- endfor %}
    {{- @TOOLS_OUTRO@ + '<|im_end|>\n' }}
{%- elif messages[0]['role'] == 'system' %}
    {{- '<|im_start|>system\n' + messages[0]['content'] + '<|im_end|>\n' }}
{%- endif %}
{%- set query = namespace(index=messages | length - 1, found=false) %}
{%- for message in messages | reverse %}
    {%- set content = message['content'] or '' %}
    {%- if not query.found and message['role'] == 'user' and not (content.startswith('<tool_response>') and content.endswith('</tool_response>')) %}
        {%- set query.index = messages | length - loop.index %}
        {%- set query.found = true %}
    {%- endif %}
{%- endfor %}
{%- for message in messages %}
    {%- set content = message['content'] or '' %}
    {%- if message['role'] == 'user' %}
        {{- '<|im_start|>user\n' + content + '<|im_end|>\n' }}
    {%- elif message['role'] == 'assistant' %}
        {%- set reasoning = '' %}
        {%- if @THINKING@ %}
            {%- if message['reasoning_content'] is string %}
                {%- set reasoning = message['reasoning_content'] %}
            {%- elif '</think>' in content %}
                {%- set reasoning = content.split('</think>')[0].rstrip('\n').split('<think>')[-1].lstrip('\n') %}
                {%- set content = content.split('</think>')[-1].lstrip('\n') %}
            {%- endif %}
        {%- endif %}
        {{- '<|im_start|>assistant\n' }}
        {%- if @THINKING@ and loop.index0 > query.index and (loop.last or reasoning) %}
            {{- '<think>\n' + reasoning.strip('\n') + '\n</think>\n\n' + content.lstrip('\n') }}
        {%- else %}
            {{- content }}
        {%- endif %}
        {%- for call in message['tool_calls'] or [] %}
            {%- if content or not loop.first %}
                {{- '\n' }}
            {%- endif %}
            {%- set function = call['function'] if call['function'] is defined else call %}
            {%- set arguments = function['arguments'] if function['arguments'] is string else function['arguments'] | tojson %}
            {{- '<tool_call>\n{"name": "' + function['name'] + '", "arguments": ' + arguments + '}\n</tool_call>' }}
        {%- endfor %}
        {{- '<|im_end|>\n' }}
    {%- elif message['role'] == 'tool' %}
        {%- if loop.first or messages[loop.index0 - 1]['role'] != 'tool' %}
            {{- '<|im_start|>user' }}
        {%- endif %}
        {{- '\n<tool_response>\n' + content + '\n</tool_response>' }}
        {%- if loop.last or messages[loop.index0 + 1]['role'] != 'tool' %}
            {{- '<|im_end|>\n' }}
        {%- endif %}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|im_start|>assistant\n' }}
    {%- if @THINKING@ and enable_thinking is defined and enable_thinking is false %}
        {{- '<think>\n\n</think>\n\n' }}
    {%- endif %}
{%- endif %}"""


def qwen3_jinja(name: str, thinking: bool) -> str:
    """The Jinja that renders like `qwen3_renderer(thinking)` under the template name `name`. For the thinking models
    it keeps the official `enable_thinking=False` switch (an empty think block after the generation prompt)."""
    models = "Qwen3 (hybrid thinking)" if thinking else "Qwen3 Instruct-2507"
    return (_JINJA.replace("@CHECKS@", checks_jinja(name, tools_ok=True, tool_calls=True, reasoning=thinking))
            .replace("@NAME@", name).replace("@MODELS@", models)
            .replace("@TOOLS_INTRO@", json.dumps(TOOLS_INTRO, ensure_ascii=False))
            .replace("@TOOLS_OUTRO@", json.dumps(TOOLS_OUTRO, ensure_ascii=False))
            .replace("@THINKING@", "true" if thinking else "false"))
