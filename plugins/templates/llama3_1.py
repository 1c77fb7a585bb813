"""Meta Llama 3.1 Instruct (and 3.3, whose template is the same): the Llama 3 headers, a system turn that is always
written and dated, tool definitions in the first user message, tool results in `ipython` turns.

Checked token for token against the official template (Llama-3.1-8B-Instruct `tokenizer_config.json`; the
Llama-3.3-70B-Instruct one is byte-identical), rendered by `apply_chat_template` with its default date:

- `<|begin_of_text|>`, then always a system turn:
  `Cutting Knowledge Date: December 2023\\nToday Date: 26 Jul 2024\\n\\n` and the system text (trimmed; "" without
  a system message), preceded by `Environment: ipython\\n` when tools are given;
- every user / assistant message as `<|start_header_id|>role<|end_header_id|>\\n\\n` + content | trim + `<|eot_id|>`;
- with tools, the first user message starts with an instruction and each tool as JSON indented by 4, then `\\n\\n`;
- a tool call as `{"name": NAME, "parameters": ARGUMENTS}`: one per assistant turn, with no text beside it (the
  official template raises for several calls and silently drops the text; both are refused here);
- a tool result as an `ipython` turn holding the result as a JSON string (the official template applies `tojson` to
  string content too, so `{"temp": 21}` is written as `"{\\"temp\\": 21}"`).

The data fields cannot express indented tool JSON in a user message nor JSON-quoted tool results, so the format is a
small renderer with the Jinja that renders like it (what a trained model's tokenizer carries). That Jinja keeps the
official `date_string` variable (default 26 Jul 2024) so inference can pass today's date. Built-in tools
(`builtin_tools`: `<|python_tag|>` calls closed by `<|eom_id|>`) are not written: the engine has no way to pass them,
and the exported Jinja refuses them instead of rendering something the model was not trained on.
"""

from __future__ import annotations

import json
from typing import Any, Sequence

from tuneforge.core import ChatTemplate, Message, TemplateError, hookimpl
from tuneforge.core.templates import Segment

DATE = "26 Jul 2024"  # the official template's default `date_string`
KNOWLEDGE = "Cutting Knowledge Date: December 2023\n"
BOS = "<|begin_of_text|>"
EOT = "<|eot_id|>"
TOOLS_INTRO = ("Given the following functions, please respond with a JSON for a function call with its proper "
               "arguments that best answers the given prompt.\n\n"
               'Respond in the format {"name": function name, "parameters": dictionary of argument name and its '
               'value}.Do not use variables.\n\n')  # sic: no space after the period, as in the official template
SPECIAL_TOKENS = (BOS, "<|start_header_id|>", "<|end_header_id|>", EOT)


def header(role: str) -> str:
    return f"<|start_header_id|>{role}<|end_header_id|>\n\n"


def _tool_json(tool: Any) -> str:
    return json.dumps(tool, ensure_ascii=False, indent=4)  # the HF `tojson(indent=4)` filter


def _arguments_json(arguments: Any) -> str:
    # The HF `tojson` filter; a string is taken as already-encoded JSON, as the engine does for every template
    # (tuneforge's records always hold a dict).
    return arguments if isinstance(arguments, str) else json.dumps(arguments, ensure_ascii=False)


def render_llama3_1(template: ChatTemplate, messages: Sequence[Message], tools: Sequence[dict],
                    add_generation_prompt: bool) -> list[Segment]:
    """The renderer of `llama3.1` (and `llama3.2`); the engine has already checked the role order."""
    name = template.name
    offset = 1 if messages[0].role == "system" else 0
    system = messages[0].content.strip() if offset else ""
    body = messages[offset:]
    for i, message in enumerate(body, offset):
        where = f"message {i} ({message.role})"
        if message.reasoning is not None:
            raise TemplateError(f"{where} has a reasoning block, which chat template '{name}' cannot write: choose a "
                                "reasoning template, or move the reasoning into the content")
        if len(message.tool_calls) > 1:
            raise TemplateError(f"{where} has {len(message.tool_calls)} tool calls, which chat template '{name}' "
                                "cannot write: Llama 3.1 makes one call per assistant turn; split them into "
                                "consecutive call / result steps")
        if message.tool_calls and message.content.strip():
            raise TemplateError(f"{where} has text beside its tool call, which chat template '{name}' cannot write: "
                                "the official template writes only the call (it drops the text); drop the text")

    segments: list[Segment] = []
    environment = "Environment: ipython\n" if tools else ""
    segments.append(Segment(f"{BOS}{header('system')}{environment}{KNOWLEDGE}Today Date: {DATE}\n\n{system}{EOT}",
                            False, 0))
    turn = 0
    for i, message in enumerate(body):
        if message.role == "user":
            definitions = TOOLS_INTRO + "".join(_tool_json(tool) + "\n\n" for tool in tools) if tools and i == 0 else ""
            segments.append(Segment(header("user") + definitions + message.content.strip() + EOT, False, turn))
        elif message.role == "tool":
            segments.append(Segment(header("ipython") + json.dumps(message.content, ensure_ascii=False) + EOT,
                                    False, turn))
        else:  # assistant; the engine allows nothing else here
            if message.tool_calls:
                call = message.tool_calls[0]
                answer = '{"name": "' + call.name + '", "parameters": ' + _arguments_json(call.arguments) + "}"
            else:
                answer = message.content.strip()
            segments.append(Segment(header("assistant"), False, turn))
            segments.append(Segment(answer + EOT, True, turn))
            turn += 1
    if add_generation_prompt:
        segments.append(Segment(header("assistant"), False, turn))
    return segments


_JINJA = r"""{#- tuneforge chat template '@NAME@': the Meta Llama 3.1 / 3.2 / 3.3 Instruct format, dated @DATE@ unless date_string is given (tuneforge.plugins.templates.llama3_1) #}
{%- if not messages %}
    {{- raise_exception("the conversation is empty: give at least one user message") }}
{%- endif %}
{%- if builtin_tools is defined %}
    {{- raise_exception("chat template '@NAME@' does not write built-in tools (builtin_tools): pass them as tools") }}
{%- endif %}
{%- if tools_in_user_message is defined and not tools_in_user_message %}
    {{- raise_exception("chat template '@NAME@' writes tool definitions in the first user message only") }}
{%- endif %}
{%- if not date_string is defined %}
    {%- set date_string = "@DATE@" %}
{%- endif %}
{%- if messages[0]['role'] == 'system' %}
    {%- set system = messages[0]['content'] | trim %}
    {%- set loop_messages = messages[1:] %}
{%- else %}
    {%- set system = '' %}
    {%- set loop_messages = messages %}
{%- endif %}
{%- if not loop_messages %}
    {{- raise_exception("the conversation has only a system message: give at least one user message") }}
{%- endif %}
{{- "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n" }}
{%- if tools %}
    {{- "Environment: ipython\n" }}
{%- endif %}
{{- "Cutting Knowledge Date: December 2023\nToday Date: " + date_string + "\n\n" + system + "<|eot_id|>" }}
{%- set ns = namespace(prev=none) %}
{%- set offset = messages | length - loop_messages | length %}
{%- for message in loop_messages %}
    {%- set where = 'message ' ~ (loop.index0 + offset) ~ ' (' ~ message['role'] ~ ')' %}
    {%- set content = message['content'] or '' %}
    {%- set calls = message['tool_calls'] or [] %}
    {%- set reasoning = message['reasoning_content'] if message['reasoning_content'] is defined else none %}
    {%- if message['role'] != 'assistant' and (calls or reasoning is not none) %}
        {{- raise_exception(where ~ ' carries tool calls or reasoning: only assistant messages can') }}
    {%- endif %}
    {%- if message['role'] == 'system' %}
        {{- raise_exception(where ~ ': a system message must be the first message; move it to the front or merge it into the first one') }}
    {%- elif message['role'] == 'user' %}
        {%- if ns.prev == 'call' %}
            {{- raise_exception(where ~ ' follows an assistant tool call: the tool results (role `tool`) must come before the next user message') }}
        {%- elif ns.prev == 'user' %}
            {{- raise_exception(where ~ ' follows another user message: roles must alternate user/assistant; merge the consecutive user messages or drop one') }}
        {%- elif ns.prev == 'tool' %}
            {{- raise_exception(where ~ ' follows a tool result: an assistant message must answer the tool results first') }}
        {%- endif %}
        {{- "<|start_header_id|>user<|end_header_id|>\n\n" }}
        {%- if tools and loop.first %}
            {{- "Given the following functions, please respond with a JSON for a function call with its proper arguments that best answers the given prompt.\n\n" }}
            {{- 'Respond in the format {"name": function name, "parameters": dictionary of argument name and its value}.Do not use variables.\n\n' }}
            {%- for tool in tools %}
                {{- tool | tojson(indent=4) + "\n\n" }}
            {%- endfor %}
        {%- endif %}
        {{- content | trim + "<|eot_id|>" }}
    {%- elif message['role'] == 'assistant' %}
        {%- if ns.prev is none %}
            {{- raise_exception(where ~ ': the conversation must start with a user message (after an optional system message), not an assistant one') }}
        {%- elif ns.prev in ['assistant', 'call'] %}
            {{- raise_exception(where ~ ' follows another assistant message: roles must alternate user/assistant; merge the consecutive answers or drop one') }}
        {%- endif %}
        {%- if content | trim == '' and not calls and reasoning is none %}
            {{- raise_exception(where ~ ' is empty: an answer needs content (or tool calls) to train on; fill it in or drop the record') }}
        {%- endif %}
        {%- if reasoning is not none %}
            {{- raise_exception(where ~ " has a reasoning block, which chat template '@NAME@' cannot write: choose a reasoning template, or move the reasoning into the content") }}
        {%- endif %}
        {%- if calls | length > 1 %}
            {{- raise_exception(where ~ ' has ' ~ (calls | length) ~ " tool calls, which chat template '@NAME@' cannot write: Llama 3.1 makes one call per assistant turn; split them into consecutive call / result steps") }}
        {%- endif %}
        {%- if calls and content | trim != '' %}
            {{- raise_exception(where ~ " has text beside its tool call, which chat template '@NAME@' cannot write: the official template writes only the call (it drops the text); drop the text") }}
        {%- endif %}
        {{- "<|start_header_id|>assistant<|end_header_id|>\n\n" }}
        {%- if calls %}
            {%- set function = calls[0]['function'] if calls[0]['function'] is defined else calls[0] %}
            {%- set arguments = function['arguments'] if function['arguments'] is string else function['arguments'] | tojson %}
            {{- '{"name": "' + function['name'] + '", "parameters": ' + arguments + '}' }}
        {%- else %}
            {{- content | trim }}
        {%- endif %}
        {{- "<|eot_id|>" }}
    {%- elif message['role'] in ['tool', 'ipython'] %}
        {%- if ns.prev not in ['call', 'tool'] %}
            {{- raise_exception(where ~ ' is a tool result without a preceding tool call: it must follow an assistant message with tool_calls (or another tool result)') }}
        {%- endif %}
        {{- "<|start_header_id|>ipython<|end_header_id|>\n\n" + content | tojson + "<|eot_id|>" }}
    {%- else %}
        {{- raise_exception(where ~ ': unknown role; roles are system, user, assistant and tool') }}
    {%- endif %}
    {%- set ns.prev = 'call' if (message['role'] == 'assistant' and calls) else ('tool' if message['role'] == 'ipython' else message['role']) %}
{%- endfor %}
{%- if add_generation_prompt %}
    {%- if ns.prev in ['assistant', 'call'] %}
        {{- raise_exception("add_generation_prompt is set but the conversation already ends with an assistant message: drop the last answer to prompt for a new one") }}
    {%- endif %}
    {{- "<|start_header_id|>assistant<|end_header_id|>\n\n" }}
{%- endif %}"""


def jinja_source(name: str) -> str:
    """The Jinja of this format under the template name `name` (used in its error messages)."""
    return _JINJA.replace("@NAME@", name).replace("@DATE@", DATE)


LLAMA3_1 = ChatTemplate(
    name="llama3.1",
    renderer=render_llama3_1,
    jinja=jinja_source("llama3.1"),
    stop_words=(EOT,),
    special_tokens=SPECIAL_TOKENS,
    reference="meta-llama/Llama-3.1-8B-Instruct",
    description="Meta Llama 3.1 / 3.3 Instruct: dated system turn (26 Jul 2024), JSON tool calls (one per turn), "
                "ipython tool results; no built-in tools or reasoning.",
)


@hookimpl
def register_templates(register):
    register(LLAMA3_1)
