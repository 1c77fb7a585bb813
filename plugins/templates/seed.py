"""ByteDance Seed chat templates: Seed-OSS (with tools and reasoning) and Seed-Coder.

`seed-oss` reproduces the official Seed-OSS-36B-Instruct template (`chat_template.jinja`, revision 497f1dca):

- every turn is `<seed:bos>role\\n` + content + `<seed:eos>`; the system turn also carries the tool definitions
  (each tool written as a Python function signature with a docstring, then the tool-call format), and when tools are
  given without a system message it opens with Seed's "You are Doubao ..." preamble;
- an answer is `<seed:bos>assistant\\n`, the reasoning (trimmed) in `<seed:think>...</seed:think>` when it is not
  blank, a newline, the answer trimmed and `<seed:eos>`; reasoning is kept on every turn, history included;
- tool calls are `<seed:tool_call>` blocks of `<function=NAME>` with one `<parameter=KEY>VALUE</parameter>` line per
  argument (a value that is not a string written as Python writes it: `True`, `{'a': 1}`), after the answer text and
  a blank line; tool results are `tool` turns.

Trained: everything of an answer after `<seed:bos>assistant\\n`, through `<seed:eos>`. Not written: the official
thinking-budget prompts (`thinking_budget`) and JSON tool definitions (`use_json_tooldef`); the exported Jinja refuses
both. An answer with reasoning but no text is refused: the official template ends it without `<seed:eos>`.

`seed-coder` is Seed-Coder-8B-Instruct's format as LLaMA-Factory documents it (the official template could not be
reached from here): `<[begin▁of▁sentence]>role\\ncontent<[end▁of▁sentence]>` turns and Seed-Coder's default system
prompt.
"""

from __future__ import annotations

import json
from typing import Any, Sequence

from tuneforge.core import ChatTemplate, Message, TemplateError, hookimpl
from tuneforge.core.template_formats.renderers import check_supported, checks_jinja
from tuneforge.core.templates import Segment

BOS = "<seed:bos>"
EOS = "<seed:eos>"
DEFAULT_TOOLS_SYSTEM = ("You are Doubao, a helpful AI assistant. You may call one or more functions to assist with "
                        "the user query.")
CALL_FORMAT = ("\n工具调用请遵循如下格式:\n<seed:tool_call>\n<function=example_function_name>\n"
               "<parameter=example_parameter_1>value_1</parameter>\n<parameter=example_parameter_2>This is the value "
               "for the second parameter\nthat can span\nmultiple lines</parameter>\n</function>\n</seed:tool_call>\n")
_PY_TYPES = {"string": "str", "number": "int", "integer": "int", "boolean": "bool", "array": "list"}  # sic: number


def _py_type(spec: Any) -> str:
    kind = spec.get("type") if isinstance(spec, dict) else None
    return _PY_TYPES.get(kind, "Any") if isinstance(kind, str) else "Any"


def _parameter_line(name: str, spec: Any, tag: str = "") -> str:
    description = spec.get("description") if isinstance(spec, dict) else None
    return f"\n    - {name} ({_py_type(spec)}){tag}: {description or ''}"


def _tool_doc(tool: dict) -> str:
    """One tool as the official template documents it: a Python signature and docstring."""
    function = tool.get("function") or {}
    parameters = function.get("parameters")
    if not isinstance(parameters, dict) or not isinstance(parameters.get("properties"), dict):
        raise TemplateError(f"tool {function.get('name')!r} has no `parameters.properties` object, which chat "
                            "template 'seed-oss' needs to document it: give its parameters as a JSON schema object")
    properties, required = parameters["properties"], parameters.get("required") or []
    signature = ",".join(f"{name}: {_py_type(spec)}" for name, spec in properties.items())
    description = (function.get("description") or "").strip()
    doc = f'\n\nFunction:\ndef {function["name"]}({signature}):\n    """\n    {description}\n\n'
    if properties:
        doc += "    Args:" + "".join(_parameter_line(name, spec, " [必填]" if name in required else " [选填]")
                                     for name, spec in properties.items())
    returns = (function.get("returns") or {}).get("properties")
    if returns:
        doc += "\n    Returns:" + "".join(_parameter_line(name, spec) for name, spec in returns.items())
        return doc + '\n    """'
    return doc + '\n\n    """'


def _call(name: str, arguments: Any, where: str) -> str:
    if not isinstance(arguments, dict):
        raise TemplateError(f"{where} has a tool call whose arguments are not a JSON object, which chat template "
                            "'seed-oss' writes one <parameter> per key: give the arguments as a dict")
    # f-strings write a non-string value as str() does, which is what the official `| string` filter writes
    parameters = "".join(f"<parameter={key}>{value}</parameter>\n" for key, value in arguments.items())
    return f"\n<seed:tool_call>\n<function={name}>\n{parameters}</function>\n</seed:tool_call>"


def _answer(message: Message, where: str) -> str:
    """The answer after `<seed:bos>assistant\\n`."""
    reasoning = (message.reasoning or "").strip()
    content = message.content.strip()
    if not content and not message.tool_calls:
        raise TemplateError(f"{where} has no answer text, which chat template 'seed-oss' needs: the official template "
                            "closes an answer with <seed:eos> only after its text; give the answer with the reasoning")
    text = f"\n<seed:think>{reasoning}</seed:think>" if reasoning else ""
    if message.tool_calls:
        text += f"\n{content}\n" if content else ""
        text += "".join(_call(call.name, call.arguments, where) for call in message.tool_calls) + EOS
    else:
        text += f"\n{content}{EOS}"
    return text[1:]  # every answer starts with the newline that the generation prompt already wrote


def render_seed_oss(template: ChatTemplate, messages: Sequence[Message], tools: Sequence[dict],
                    add_generation_prompt: bool) -> list[Segment]:
    """The renderer of `seed-oss`; the engine has already checked the role order."""
    check_supported(template.name, messages, tools, tools_ok=True, tool_calls=True, reasoning=True)
    segments: list[Segment] = []
    system = messages[0].content if messages[0].role == "system" else None
    if tools:
        docs = "".join(_tool_doc(tool) for tool in tools if tool.get("type") == "function")
        system = (DEFAULT_TOOLS_SYSTEM if system is None else system) + docs + CALL_FORMAT
    if system is not None:
        segments.append(Segment(f"{BOS}system\n{system}{EOS}", False, 0))
    turn = 0
    for i, message in enumerate(messages):
        if message.role in ("user", "tool"):
            segments.append(Segment(f"{BOS}{message.role}\n{message.content}{EOS}", False, turn))
        elif message.role == "assistant":
            segments.append(Segment(f"{BOS}assistant\n", False, turn))
            segments.append(Segment(_answer(message, f"message {i} (assistant)"), True, turn))
            turn += 1
    if add_generation_prompt:
        segments.append(Segment(f"{BOS}assistant\n", False, turn))
    return segments


_JINJA = r"""{#- tuneforge chat template 'seed-oss': the ByteDance Seed-OSS format (tuneforge.plugins.templates.seed) #}
@CHECKS@
{%- if thinking_budget is defined and thinking_budget != -1 %}
    {{- raise_exception("chat template 'seed-oss' does not write thinking-budget prompts (thinking_budget)") }}
{%- endif %}
{%- if use_json_tooldef is defined and use_json_tooldef %}
    {{- raise_exception("chat template 'seed-oss' writes tools as Python signatures only (use_json_tooldef)") }}
{%- endif %}
{%- macro py_type(spec) %}
    {%- set types = {'string': 'str', 'number': 'int', 'integer': 'int', 'boolean': 'bool', 'array': 'list'} %}
    {{- types[spec['type']] if spec['type'] is string and spec['type'] in types else 'Any' }}
{%- endmacro %}
{%- set quotes = '"' * 3 %}
{%- set system = messages[0]['content'] if messages[0]['role'] == 'system' else none %}
{%- if tools %}
    {%- set head = @DEFAULT_TOOLS_SYSTEM@ if system is none else system %}
    {%- set docs = namespace(text='') %}
    {%- for tool in tools if tool['type'] == 'function' %}
        {%- set function = tool['function'] %}
        {%- set properties = function['parameters']['properties'] %}
        {%- set required = function['parameters']['required'] or [] %}
        {%- set docs.text = docs.text + '\n\nFunction:\ndef ' + function['name'] + '(' %}
        {%- for name, spec in properties.items() %}
            {%- set docs.text = docs.text + (',' if not loop.first else '') + name + ': ' + py_type(spec) %}
        {%- endfor %}
        {%- set docs.text = docs.text + '):\n    ' + quotes + '\n    ' + (function['description'] or '') | trim + '\n\n' %}
        {%- if properties %}
            {%- set docs.text = docs.text + '    Args:' %}
            {%- for name, spec in properties.items() %}
                {%- set docs.text = docs.text + '\n    - ' + name + ' (' + py_type(spec) + ') [' + ('必填' if name in required else '选填') + ']: ' + (spec['description'] or '') %}
            {%- endfor %}
        {%- endif %}
        {%- if function['returns'] is defined and function['returns']['properties'] %}
            {%- set docs.text = docs.text + '\n    Returns:' %}
            {%- for name, spec in function['returns']['properties'].items() %}
                {%- set docs.text = docs.text + '\n    - ' + name + ' (' + py_type(spec) + '): ' + (spec['description'] or '') %}
            {%- endfor %}
            {%- set docs.text = docs.text + '\n    ' + quotes %}
        {%- else %}
            {%- set docs.text = docs.text + '\n\n    ' + quotes %}
        {%- endif %}
    {%- endfor %}
    {%- set system = head + docs.text + @CALL_FORMAT@ %}
{%- endif %}
{%- if system is not none %}
    {{- '<seed:bos>system\n' + system + '<seed:eos>' }}
{%- endif %}
{%- for message in messages %}
    {%- if message['role'] in ['user', 'tool'] %}
        {{- '<seed:bos>' + message['role'] + '\n' + message['content'] + '<seed:eos>' }}
    {%- elif message['role'] == 'assistant' %}
        {%- set content = (message['content'] or '') | trim %}
        {%- set reasoning = (message['reasoning_content'] or '') | trim if message['reasoning_content'] is defined else '' %}
        {%- set calls = message['tool_calls'] or [] %}
        {%- set where = 'message ' ~ loop.index0 ~ ' (assistant)' %}
        {%- if not content and not calls %}
            {{- raise_exception(where ~ " has no answer text, which chat template 'seed-oss' needs: the official template closes an answer with <seed:eos> only after its text; give the answer with the reasoning") }}
        {%- endif %}
        {{- '<seed:bos>assistant' }}
        {%- if reasoning %}
            {{- '\n<seed:think>' + reasoning + '</seed:think>' }}
        {%- endif %}
        {%- if calls %}
            {%- if content %}
                {{- '\n' + content + '\n' }}
            {%- endif %}
            {%- for call in calls %}
                {%- set function = call['function'] if call['function'] is defined else call %}
                {%- if function['arguments'] is not mapping %}
                    {{- raise_exception(where ~ " has a tool call whose arguments are not a JSON object, which chat template 'seed-oss' writes one <parameter> per key: give the arguments as a dict") }}
                {%- endif %}
                {{- '\n<seed:tool_call>\n<function=' + function['name'] + '>\n' }}
                {%- for key, value in function['arguments'].items() %}
                    {{- '<parameter=' + key + '>' + (value if value is string else value | string) + '</parameter>\n' }}
                {%- endfor %}
                {{- '</function>\n</seed:tool_call>' }}
            {%- endfor %}
            {{- '<seed:eos>' }}
        {%- else %}
            {{- '\n' + content + '<seed:eos>' }}
        {%- endif %}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<seed:bos>assistant\n' }}
{%- endif %}"""


def _jinja() -> str:
    return (_JINJA.replace("@CHECKS@", checks_jinja("seed-oss", tools_ok=True, tool_calls=True, reasoning=True))
            .replace("@DEFAULT_TOOLS_SYSTEM@", json.dumps(DEFAULT_TOOLS_SYSTEM, ensure_ascii=False))
            .replace("@CALL_FORMAT@", json.dumps(CALL_FORMAT, ensure_ascii=False)))


SEED_OSS = ChatTemplate(
    name="seed-oss",
    renderer=render_seed_oss,
    jinja=_jinja(),
    stop_words=(EOS,),
    special_tokens=(BOS, EOS, "<seed:think>", "</seed:think>", "<seed:tool_call>", "</seed:tool_call>"),
    reference="ByteDance-Seed/Seed-OSS-36B-Instruct",
    description="ByteDance Seed-OSS-36B-Instruct: <seed:bos>role ... <seed:eos> turns, Python-signature tool "
                "definitions, <seed:tool_call> XML calls, <seed:think> reasoning kept on every turn; no thinking "
                "budget.",
)

SEED_CODER = ChatTemplate(
    name="seed-coder",
    system="<[begin▁of▁sentence]>system\n{content}<[end▁of▁sentence]>",
    default_system=("You are an AI programming assistant, utilizing the Seed-Coder model, developed by ByteDance Seed, "
                    "and you only answer questions related to computer science. For politically sensitive questions, "
                    "security and privacy issues, and other non-computer science questions, you will refuse to "
                    "answer.\n\n"),
    user="<[begin▁of▁sentence]>user\n{content}<[end▁of▁sentence]>",
    assistant_prefix="<[begin▁of▁sentence]>assistant\n",
    assistant_suffix="<[end▁of▁sentence]>",
    stop_words=("<[end▁of▁sentence]>",),
    special_tokens=("<[begin▁of▁sentence]>", "<[end▁of▁sentence]>"),
    description="ByteDance Seed-Coder-8B-Instruct with its default system prompt (documented format: LLaMA-Factory's "
                "seed_coder; official template not verified); no tool or reasoning turns.",
)


@hookimpl
def register_templates(register):
    register(SEED_OSS)
    register(SEED_CODER)
