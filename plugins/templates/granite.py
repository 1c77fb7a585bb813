"""IBM Granite 3 and 4 instruct models: `<|start_of_role|>role<|end_of_role|>` headers, `<|end_of_text|>\\n` closing
every turn; contents written as they are.

- `granite3`: checked against the official template of ibm-granite/granite-3.0-8b-instruct (revision e0a466fb): no
  default system prompt. Its tool format (an `available_tools` turn of indented JSON and `assistant_tool_call` /
  `tool_response` roles outside the OpenAI convention) is not written: tools are refused.
- `granite4`: checked against the official template of ibm-granite/granite-4.0-micro (revision 111f8049, "adding
  default system prompt"; LLaMA-Factory's "You are Granite, developed by IBM ..." is not the official one). A system
  turn is always written: the conversation's system text, followed by the tool instructions and each tool as a JSON
  line when tools are given, the tool instructions alone without a system message, and the default system prompt
  when that text is empty (so an empty system message gets it too). Calls are `<tool_call>` JSON lines after the
  answer's text, consecutive results one user turn of `<tool_response>` blocks. The official template's `documents`
  (RAG) variable is not written.
"""

from __future__ import annotations

import json

from tuneforge.core import ChatTemplate, Message, hookimpl
from tuneforge.core.template_formats.renderers import rewriting

SPECIAL_TOKENS = ("<|start_of_role|>", "<|end_of_role|>", "<|end_of_text|>")

GRANITE3 = ChatTemplate(
    name="granite3",
    system="<|start_of_role|>system<|end_of_role|>{content}<|end_of_text|>\n",
    user="<|start_of_role|>user<|end_of_role|>{content}<|end_of_text|>\n",
    assistant_prefix="<|start_of_role|>assistant<|end_of_role|>",
    assistant_suffix="<|end_of_text|>",
    assistant_separator="\n",
    stop_words=("<|end_of_text|>",),
    special_tokens=SPECIAL_TOKENS,
    reference="ibm-granite/granite-3.0-8b-instruct",
    description="IBM Granite 3.0 instruct; no default system prompt; no tool or reasoning turns.",
)

GRANITE4_DEFAULT_SYSTEM = "You are a helpful assistant. Please ensure responses are professional, accurate, and safe."
GRANITE4_TOOLS_INTRO = ("You are a helpful assistant with access to the following tools. You may call one or more "
                        "tools to assist with the user query.\n\nYou are provided with function signatures within "
                        "<tools></tools> XML tags:\n<tools>")
GRANITE4_TOOLS_OUTRO = ("\n</tools>\n\nFor each tool call, return a json object with function name and arguments "
                        "within <tool_call></tool_call> XML tags:\n<tool_call>\n"
                        '{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call>. If a tool does '
                        "not exist in the provided list of tools, notify the user that you do not have the ability "
                        "to fulfill the request.")

# The Granite 4 turns after `granite4_system` has put the whole system text into a leading system message.
_GRANITE4_TURNS = ChatTemplate(
    name="granite4",
    system=GRANITE3.system,
    user=GRANITE3.user,
    assistant_prefix=GRANITE3.assistant_prefix,
    assistant_suffix="<|end_of_text|>",
    assistant_separator="\n",
    tool_call='<tool_call>\n{"name": "{name}", "arguments": {arguments}}\n</tool_call>',
    tool="\n<tool_response>\n{content}\n</tool_response>",
    tool_results_prefix="<|start_of_role|>user<|end_of_role|>",
    tool_results_suffix="<|end_of_text|>\n",
    stop_words=("<|end_of_text|>",),
    special_tokens=SPECIAL_TOKENS,
)


def granite4_system(template: ChatTemplate, messages: tuple[Message, ...], tools: tuple[dict, ...]):
    """The official Granite 4 system text as the first message (tools folded into it), and no tools left."""
    tools_text = ""
    if tools:
        tools_text = GRANITE4_TOOLS_INTRO + "".join("\n" + json.dumps(tool, ensure_ascii=False) for tool in tools) \
            + GRANITE4_TOOLS_OUTRO
    if messages[0].role == "system":
        system = messages[0].content + ("\n\n" + tools_text if tools else "")
        messages = messages[1:]
    else:
        system = tools_text
    return (Message("system", system or GRANITE4_DEFAULT_SYSTEM),) + messages, ()


_GRANITE4_JINJA = """{#- Granite 4: one system turn, from the system message, the tools and the default prompt #}
{%- set granite = namespace(tools='', system='') %}
{%- if tools %}
    {%- set granite.tools = GRANITE4_TOOLS_INTRO %}
    {%- for tool in tools %}
        {%- set granite.tools = granite.tools + '\\n' + (tool | tojson) %}
    {%- endfor %}
    {%- set granite.tools = granite.tools + GRANITE4_TOOLS_OUTRO %}
{%- endif %}
{%- if messages and messages[0]['role'] == 'system' %}
    {%- set granite.system = messages[0]['content'] + (('\\n\\n' + granite.tools) if tools else '') %}
    {%- set messages = messages[1:] %}
{%- else %}
    {%- set granite.system = granite.tools %}
{%- endif %}
{%- set messages = [{'role': 'system', 'content': granite.system or GRANITE4_DEFAULT_SYSTEM}] + messages %}
{%- set tools = none %}
""".replace("GRANITE4_TOOLS_INTRO", json.dumps(GRANITE4_TOOLS_INTRO)) \
    .replace("GRANITE4_TOOLS_OUTRO", json.dumps(GRANITE4_TOOLS_OUTRO)) \
    .replace("GRANITE4_DEFAULT_SYSTEM", json.dumps(GRANITE4_DEFAULT_SYSTEM))

GRANITE4 = rewriting(
    _GRANITE4_TURNS, granite4_system, _GRANITE4_JINJA,
    reference="ibm-granite/granite-4.0-micro",
    description="IBM Granite 4.0 instruct: default system prompt (also for an empty one), tools in the system turn, "
                "<tool_call> JSON calls, <tool_response> results; no reasoning turns.",
)


@hookimpl
def register_templates(register):
    register(GRANITE3)
    register(GRANITE4)
