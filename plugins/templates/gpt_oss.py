"""OpenAI gpt-oss (20b, 120b): the harmony format. Checked token for token against the official template
(openai/gpt-oss-20b chat_template.jinja, revision cbf31f62):

- a system message always first: `<|start|>system<|message|>`, the model identity, the knowledge cutoff, the current
  date, `Reasoning: medium`, the valid channels (and, with tools, that calls go to the commentary channel), `<|end|>`.
  The official template writes today's date; this one writes 2025-08-05, gpt-oss's release date, so that training
  text does not change from day to day (its exported Jinja takes `current_date`, `reasoning_effort` and
  `model_identity` like the official one takes the last two);
- the conversation's system text goes into a developer message (`# Instructions`), followed by the tools as a
  TypeScript-like `namespace functions`, exactly as the official template writes each JSON schema;
- answers are `final`-channel messages closed by `<|end|>`, the last one by `<|return|>`; its reasoning (and only
  its: the official template drops earlier reasoning) is an `analysis` message before it;
- a tool call is `<|start|>assistant to=functions.NAME<|channel|>commentary json<|message|>ARGS<|call|>`, one per
  assistant message (the official template writes only the first: several are refused), its reasoning or text an
  `analysis` message before it unless a final answer follows later; a tool result is a `functions.NAME` message
  holding the result as a JSON string.

Trained: everything the model writes after `<|start|>assistant` (analysis, final answer or call, and the closing
`<|end|>` / `<|return|>` / `<|call|>`). Built-in tools (browser, python) are refused.
"""

from __future__ import annotations

import json
from typing import Any, Sequence

from tuneforge.core import ChatTemplate, Message, TemplateError, hookimpl
from tuneforge.core.template_formats.renderers import checks_jinja
from tuneforge.core.templates import Segment

DATE = "2025-08-05"
IDENTITY = "You are ChatGPT, a large language model trained by OpenAI."
CHANNELS = "# Valid channels: analysis, commentary, final. Channel must be included for every message."
TOOL_CHANNEL = "\nCalls to these tools must go to the commentary channel: 'functions'."
SPECIAL_TOKENS = ("<|start|>", "<|message|>", "<|end|>", "<|channel|>", "<|return|>", "<|call|>")
CHANNEL_TAGS = ("<|channel|>analysis<|message|>", "<|channel|>final<|message|>")

# The official Jinja writes two of its schema pieces on a new, indented line (an unstripped `{{ }}` after a line
# break): a nested object's property types and a oneOf variant's default. Reproduced as text.
PROPERTY_BREAK = "\n" + " " * 16
DEFAULT_INDENT = " " * 20


class _Unwritable(Exception):
    """A tool schema the official template cannot render (it raises too)."""


def ts_type(spec: dict) -> str:
    """A JSON-schema type as the official `render_typescript_type` macro writes it."""
    kind = spec.get("type")
    if kind == "array":
        items = spec.get("items")
        if items:
            inner_kind = items.get("type")
            if inner_kind == "string":
                text = "string[]"
            elif inner_kind in ("number", "integer"):
                text = "number[]"
            elif inner_kind == "boolean":
                text = "boolean[]"
            else:
                inner = ts_type(items)
                text = "any[]" if inner == "object | object" or len(inner) > 50 else inner + "[]"
        else:
            text = "any[]"
        return text + (" | null" if spec.get("nullable") else "")
    if isinstance(kind, list) and kind:
        return " | ".join(kind) if len(kind) > 1 else kind[0]
    if spec.get("oneOf"):
        # The official macro's check for object variants sets a loop-local variable, so it never takes effect.
        variants, text = spec["oneOf"], ""
        for k, variant in enumerate(variants):
            text += ts_type(variant)
            if variant.get("description"):
                text += "// " + variant["description"]
            if "default" in variant:
                text += DEFAULT_INDENT + "// default: " + json.dumps(variant["default"], ensure_ascii=False)
            if k < len(variants) - 1:
                text += " | \n"
        return text
    if kind == "string":
        if spec.get("enum"):
            return '"' + '" | "'.join(spec["enum"]) + '"'
        return "string" + (" | null" if spec.get("nullable") else "")
    if kind in ("number", "integer"):
        return "number"
    if kind == "boolean":
        return "boolean"
    if kind == "object":
        properties = spec.get("properties")
        if not properties:
            return "object"
        required_here = spec.get("required") or []
        parts = [name + ("" if name in required_here else "?") + ": " + PROPERTY_BREAK + ts_type(prop)
                 for name, prop in properties.items()]
        return "{\n" + ", ".join(parts) + "}"
    return "any"


def _concat(text: str, value: Any) -> str:
    if not isinstance(value, str):
        raise _Unwritable(f"a non-string default ({value!r}) of an enum or oneOf parameter")
    return text + value


def functions_namespace(tools: Sequence[dict]) -> str:
    """The official `render_tool_namespace("functions", tools)`."""
    text = "## functions\n\nnamespace functions {\n\n"
    for tool in tools:
        function = tool.get("function")
        if not isinstance(function, dict) or not isinstance(function.get("name"), str):
            raise _Unwritable("a tool that is not {'type': 'function', 'function': {'name': ...}}")
        if not isinstance(function.get("description"), str):
            raise _Unwritable(f"tool {function['name']!r} without a description")
        text += "// " + function["description"] + "\ntype " + function["name"] + " = "
        parameters = function.get("parameters") or {}
        properties = parameters.get("properties") if isinstance(parameters, dict) else None
        if not properties:
            text += "() => any;\n\n"
            continue
        required = parameters.get("required") or []
        text += "(_: {\n"
        for name, spec in properties.items():
            if spec.get("description"):
                text += "// " + spec["description"] + "\n"
            text += name + ("" if name in required else "?") + ": " + ts_type(spec)
            if "default" in spec:
                if spec.get("enum"):
                    text = _concat(text + ", // default: ", spec["default"])
                elif spec.get("oneOf"):
                    text = _concat(text + "// default: ", spec["default"])
                else:
                    text += ", // default: " + json.dumps(spec["default"], ensure_ascii=False)
            text += ",\n"
        text += "}) => any;\n\n"
    return text + "} // namespace functions"


def _check(template: ChatTemplate, messages: Sequence[Message], tools: Sequence[dict]) -> None:
    name = template.name
    for i, message in enumerate(messages):
        where = f"message {i} ({message.role})"
        if any(tag in message.content or tag in (message.reasoning or "") for tag in CHANNEL_TAGS):
            raise TemplateError(f"{where} holds a <|channel|> tag: give the analysis as the reasoning and the final "
                                "answer as the content, without harmony tags")
        if len(message.tool_calls) > 1:
            raise TemplateError(f"{where} has {len(message.tool_calls)} tool calls, which chat template '{name}' "
                                "cannot write: the official template writes only the first; split them into "
                                "consecutive call / result steps")
        if message.tool_calls and message.content and message.reasoning:
            raise TemplateError(f"{where} has both text and reasoning beside its tool call, which chat template "
                                f"'{name}' cannot write (the official template refuses it): keep one of them")


def render_gpt_oss(template: ChatTemplate, messages: Sequence[Message], tools: Sequence[dict],
                   add_generation_prompt: bool) -> list[Segment]:
    """The renderer of `gpt-oss`; the engine has already checked the role order."""
    _check(template, messages, tools)
    try:
        namespace = functions_namespace(tools) if tools else ""
    except _Unwritable as exc:
        raise TemplateError(f"chat template '{template.name}' cannot write the tool definitions: {exc} (the official "
                            "template fails on it too)") from None
    system = (f"<|start|>system<|message|>{IDENTITY}\nKnowledge cutoff: 2024-06\nCurrent date: {DATE}\n\n"
              f"Reasoning: medium\n\n{CHANNELS}{TOOL_CHANNEL if tools else ''}<|end|>")
    offset = 1 if messages[0].role == "system" else 0
    instructions = messages[0].content if offset else ""
    if instructions or tools:
        system += "<|start|>developer<|message|>"
        if instructions:
            system += "# Instructions\n\n" + instructions + "\n\n"
        if tools:
            system += "# Tools\n\n" + namespace
        system += "<|end|>"
    segments = [Segment(system, False, 0)]
    body = messages[offset:]
    turn, last_call = 0, None
    for i, message in enumerate(body):
        if message.role == "user":
            segments.append(Segment(f"<|start|>user<|message|>{message.content}<|end|>", False, turn))
        elif message.role == "tool":
            segments.append(Segment(f"<|start|>functions.{last_call} to=assistant<|channel|>commentary<|message|>"
                                    + json.dumps(message.content, ensure_ascii=False) + "<|end|>", False, turn))
        else:
            if message.tool_calls:
                call = message.tool_calls[0]
                final_later = any(m.role == "assistant" and not m.tool_calls for m in body[i + 1:])
                analysis = message.content or message.reasoning
                text = f"<|channel|>analysis<|message|>{analysis}<|end|><|start|>assistant" \
                    if analysis and not final_later else ""
                text += (f" to=functions.{call.name}<|channel|>commentary json<|message|>"
                         f"{json.dumps(call.arguments, ensure_ascii=False)}<|call|>")
                last_call = call.name
            elif i == len(body) - 1:
                text = "" if message.reasoning is None else \
                    f"<|channel|>analysis<|message|>{message.reasoning}<|end|><|start|>assistant"
                text += f"<|channel|>final<|message|>{message.content}<|return|>"
            else:
                text, last_call = f"<|channel|>final<|message|>{message.content}<|end|>", None
            segments.append(Segment("<|start|>assistant", False, turn))
            segments.append(Segment(text, True, turn))
            turn += 1
    if add_generation_prompt:
        segments.append(Segment("<|start|>assistant", False, turn))
    return segments


_JINJA = r"""{#- tuneforge chat template 'gpt-oss': the harmony format (tuneforge.plugins.templates.gpt_oss) #}
{%- macro ts_type(spec) -%}
    {%- set kind = spec['type'] -%}
    {%- if kind == 'array' -%}
        {%- if spec['items'] -%}
            {%- if spec['items']['type'] == 'string' -%}
                {{- 'string[]' -}}
            {%- elif spec['items']['type'] in ['number', 'integer'] -%}
                {{- 'number[]' -}}
            {%- elif spec['items']['type'] == 'boolean' -%}
                {{- 'boolean[]' -}}
            {%- else -%}
                {%- set inner = ts_type(spec['items']) -%}
                {{- 'any[]' if inner == 'object | object' or inner | length > 50 else inner + '[]' -}}
            {%- endif -%}
        {%- else -%}
            {{- 'any[]' -}}
        {%- endif -%}
        {%- if spec['nullable'] -%}
            {{- ' | null' -}}
        {%- endif -%}
    {%- elif kind is iterable and kind is not string and kind is not mapping and kind | length > 0 -%}
        {{- kind | join(' | ') -}}
    {%- elif spec['oneOf'] -%}
        {%- for variant in spec['oneOf'] -%}
            {{- ts_type(variant) -}}
            {%- if variant['description'] -%}
                {{- '// ' + variant['description'] -}}
            {%- endif -%}
            {%- if variant['default'] is defined -%}
                {{- @DEFAULT_INDENT@ + '// default: ' + variant['default'] | tojson -}}
            {%- endif -%}
            {%- if not loop.last -%}
                {{- ' | \n' -}}
            {%- endif -%}
        {%- endfor -%}
    {%- elif kind == 'string' -%}
        {%- if spec['enum'] -%}
            {{- '"' + spec['enum'] | join('" | "') + '"' -}}
        {%- else -%}
            {{- 'string' + (' | null' if spec['nullable'] else '') -}}
        {%- endif -%}
    {%- elif kind in ['number', 'integer'] -%}
        {{- 'number' -}}
    {%- elif kind == 'boolean' -%}
        {{- 'boolean' -}}
    {%- elif kind == 'object' -%}
        {%- if spec['properties'] -%}
            {%- set required = spec['required'] or [] -%}
            {{- '{\n' -}}
            {%- for name, prop in spec['properties'].items() -%}
                {{- name + ('' if name in required else '?') + ': ' + @PROPERTY_BREAK@ + ts_type(prop) -}}
                {%- if not loop.last -%}
                    {{- ', ' -}}
                {%- endif -%}
            {%- endfor -%}
            {{- '}' -}}
        {%- else -%}
            {{- 'object' -}}
        {%- endif -%}
    {%- else -%}
        {{- 'any' -}}
    {%- endif -%}
{%- endmacro -%}
{%- macro functions_namespace(tools) -%}
    {{- '## functions\n\nnamespace functions {\n\n' -}}
    {%- for tool in tools -%}
        {%- set function = tool['function'] -%}
        {{- '// ' + function['description'] + '\ntype ' + function['name'] + ' = ' -}}
        {%- set parameters = function['parameters'] or {} -%}
        {%- if parameters['properties'] -%}
            {%- set required = parameters['required'] or [] -%}
            {{- '(_: {\n' -}}
            {%- for name, spec in parameters['properties'].items() -%}
                {%- if spec['description'] -%}
                    {{- '// ' + spec['description'] + '\n' -}}
                {%- endif -%}
                {{- name + ('' if name in required else '?') + ': ' + ts_type(spec) -}}
                {%- if spec['default'] is defined -%}
                    {%- if spec['enum'] -%}
                        {{- ', // default: ' + spec['default'] -}}
                    {%- elif spec['oneOf'] -%}
                        {{- '// default: ' + spec['default'] -}}
                    {%- else -%}
                        {{- ', // default: ' + spec['default'] | tojson -}}
                    {%- endif -%}
                {%- endif -%}
                {{- ',\n' -}}
            {%- endfor -%}
            {{- '}) => any;\n\n' -}}
        {%- else -%}
            {{- '() => any;\n\n' -}}
        {%- endif -%}
    {%- endfor -%}
    {{- '} // namespace functions' -}}
{%- endmacro -%}
@CHECKS@
{%- if builtin_tools is defined and builtin_tools %}
    {{- raise_exception("chat template 'gpt-oss' does not write built-in tools (builtin_tools): pass them as tools") }}
{%- endif %}
{%- for message in messages %}
    {%- set where = 'message ' ~ loop.index0 ~ ' (' ~ message['role'] ~ ')' %}
    {%- set thought = message['reasoning_content'] if message['reasoning_content'] is string else '' %}
    {%- for tag in ['<|channel|>analysis<|message|>', '<|channel|>final<|message|>'] %}
        {%- if tag in (message['content'] or '') or tag in thought %}
            {{- raise_exception(where ~ ' holds a <|channel|> tag: give the analysis as the reasoning and the final answer as the content, without harmony tags') }}
        {%- endif %}
    {%- endfor %}
    {%- if (message['tool_calls'] or []) | length > 1 %}
        {{- raise_exception(where ~ ' has ' ~ (message['tool_calls'] | length) ~ " tool calls, which chat template 'gpt-oss' cannot write: the official template writes only the first; split them into consecutive call / result steps") }}
    {%- endif %}
    {%- if message['tool_calls'] and message['content'] and thought %}
        {{- raise_exception(where ~ " has both text and reasoning beside its tool call, which chat template 'gpt-oss' cannot write (the official template refuses it): keep one of them") }}
    {%- endif %}
{%- endfor %}
{%- set date = current_date if current_date is defined else @DATE@ %}
{%- set identity = model_identity if model_identity is defined else @IDENTITY@ %}
{%- set effort = reasoning_effort if reasoning_effort is defined else 'medium' %}
{{- '<|start|>system<|message|>' + identity + '\nKnowledge cutoff: 2024-06\nCurrent date: ' + date + '\n\nReasoning: ' + effort + '\n\n' + @CHANNELS@ }}
{%- if tools %}
    {{- @TOOL_CHANNEL@ }}
{%- endif %}
{{- '<|end|>' }}
{%- if messages[0]['role'] == 'system' %}
    {%- set instructions = messages[0]['content'] or '' %}
    {%- set loop_messages = messages[1:] %}
{%- else %}
    {%- set instructions = '' %}
    {%- set loop_messages = messages %}
{%- endif %}
{%- if instructions or tools %}
    {{- '<|start|>developer<|message|>' }}
    {%- if instructions %}
        {{- '# Instructions\n\n' + instructions + '\n\n' }}
    {%- endif %}
    {%- if tools %}
        {{- '# Tools\n\n' + functions_namespace(tools) }}
    {%- endif %}
    {{- '<|end|>' }}
{%- endif %}
{%- set oss = namespace(last_call=none) %}
{%- for message in loop_messages %}
    {%- set content = message['content'] or '' %}
    {%- set reasoning = message['reasoning_content'] if message['reasoning_content'] is defined else none %}
    {%- if message['role'] == 'user' %}
        {{- '<|start|>user<|message|>' + content + '<|end|>' }}
    {%- elif message['role'] == 'tool' %}
        {{- '<|start|>functions.' + oss.last_call + ' to=assistant<|channel|>commentary<|message|>' + content | tojson + '<|end|>' }}
    {%- else %}
        {{- '<|start|>assistant' }}
        {%- if message['tool_calls'] %}
            {%- set call = message['tool_calls'][0] %}
            {%- set function = call['function'] if call['function'] is defined else call %}
            {%- set final = namespace(later=false) %}
            {%- for later in loop_messages[loop.index:] %}
                {%- if later['role'] == 'assistant' and not later['tool_calls'] %}
                    {%- set final.later = true %}
                {%- endif %}
            {%- endfor %}
            {%- set analysis = content or reasoning %}
            {%- if analysis and not final.later %}
                {{- '<|channel|>analysis<|message|>' + analysis + '<|end|><|start|>assistant' }}
            {%- endif %}
            {{- ' to=functions.' + function['name'] + '<|channel|>commentary json<|message|>' + function['arguments'] | tojson + '<|call|>' }}
            {%- set oss.last_call = function['name'] %}
        {%- elif loop.last %}
            {%- if reasoning is not none %}
                {{- '<|channel|>analysis<|message|>' + reasoning + '<|end|><|start|>assistant' }}
            {%- endif %}
            {{- '<|channel|>final<|message|>' + content + '<|return|>' }}
        {%- else %}
            {{- '<|channel|>final<|message|>' + content + '<|end|>' }}
            {%- set oss.last_call = none %}
        {%- endif %}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|start|>assistant' }}
{%- endif %}"""

_SUBSTITUTIONS = {
    "@CHECKS@": checks_jinja("gpt-oss", tools_ok=True, tool_calls=True, reasoning=True),
    "@DEFAULT_INDENT@": json.dumps(DEFAULT_INDENT), "@PROPERTY_BREAK@": json.dumps(PROPERTY_BREAK),
    "@DATE@": json.dumps(DATE), "@IDENTITY@": json.dumps(IDENTITY), "@CHANNELS@": json.dumps(CHANNELS),
    "@TOOL_CHANNEL@": json.dumps(TOOL_CHANNEL),
}
JINJA = _JINJA
for _key, _value in _SUBSTITUTIONS.items():
    JINJA = JINJA.replace(_key, _value)

GPT_OSS = ChatTemplate(
    name="gpt-oss",
    renderer=render_gpt_oss,
    jinja=JINJA,
    stop_words=("<|return|>", "<|call|>"),
    special_tokens=SPECIAL_TOKENS,
    reference="openai/gpt-oss-20b",
    description="OpenAI gpt-oss (harmony): dated system message (2025-08-05), developer instructions and TypeScript "
                "tool namespace, analysis reasoning on the last answer, one tool call per message; no built-in tools.",
)


@hookimpl
def register_templates(register):
    register(GPT_OSS)
