"""Qwen chat templates: ChatML turns closed by `<|im_end|>`, in four official variants.

- `qwen2`: Qwen1.5-Chat and Qwen2-Instruct: default system prompt "You are a helpful assistant."; no tools.
- `qwen2.5`: Qwen2.5-Instruct: default system prompt "You are Qwen, created by Alibaba Cloud. You are a helpful
  assistant.", tool definitions in the system turn, `<tool_call>` JSON calls, consecutive tool results in one user
  turn as `<tool_response>` blocks.
- `qwen3`: Qwen3 hybrid thinking models: no default system prompt, Qwen2.5's tool format, and `<think>` reasoning
  that the official template drops from every turn before the last user query (see
  `tuneforge.core.template_formats.qwen3` for exactly what is written and trained).
- `qwen3-nothink`: Qwen3 Instruct-2507 models: the Qwen3 format without any reasoning.

Each was checked against the official template (tests/test_templates_batch_c.py): Qwen2-0.5B-Instruct,
Qwen2.5-0.5B-Instruct, Qwen3-0.6B from the reference data, and the current
Qwen3-4B-Instruct-2507 template (revision cdbee75f) through recorded renderings.
"""

from tuneforge.core import ChatTemplate, hookimpl
from tuneforge.core.template_formats.qwen3 import SPECIAL_TOKENS, TOOLS_INTRO, TOOLS_OUTRO, qwen3_jinja, qwen3_renderer

QWEN2 = ChatTemplate(
    name="qwen2",
    system="<|im_start|>system\n{content}<|im_end|>\n",
    default_system="You are a helpful assistant.",
    user="<|im_start|>user\n{content}<|im_end|>\n",
    assistant_prefix="<|im_start|>assistant\n",
    assistant_suffix="<|im_end|>",
    assistant_separator="\n",
    stop_words=("<|im_end|>",),
    special_tokens=SPECIAL_TOKENS,
    reference="Qwen/Qwen2-0.5B-Instruct",
    description="Qwen1.5-Chat / Qwen2-Instruct: ChatML with the default system prompt 'You are a helpful assistant.'; "
                "no tool or reasoning turns.",
)

QWEN2_5 = ChatTemplate(
    name="qwen2.5",
    system="<|im_start|>system\n{content}<|im_end|>\n",
    default_system="You are Qwen, created by Alibaba Cloud. You are a helpful assistant.",
    user="<|im_start|>user\n{content}<|im_end|>\n",
    assistant_prefix="<|im_start|>assistant\n",
    assistant_suffix="<|im_end|>",
    assistant_separator="\n",
    tool_definitions="{system}\n\n" + TOOLS_INTRO + "\n{tools}" + TOOLS_OUTRO,
    tool_call='<tool_call>\n{"name": "{name}", "arguments": {arguments}}\n</tool_call>',
    tool="\n<tool_response>\n{content}\n</tool_response>",
    tool_results_prefix="<|im_start|>user",
    tool_results_suffix="<|im_end|>\n",
    stop_words=("<|im_end|>",),
    special_tokens=SPECIAL_TOKENS,
    reference="Qwen/Qwen2.5-0.5B-Instruct",
    description="Qwen2.5-Instruct: ChatML with Qwen's default system prompt, <tool_call> tool calls and "
                "<tool_response> results; no reasoning turns.",
)

QWEN3 = ChatTemplate(
    name="qwen3",
    renderer=qwen3_renderer(thinking=True),
    jinja=qwen3_jinja("qwen3", thinking=True),
    stop_words=("<|im_end|>",),
    special_tokens=SPECIAL_TOKENS,
    reference="Qwen/Qwen3-0.6B",
    description="Qwen3 (hybrid thinking): ChatML, <tool_call> tools, <think> reasoning; the last turn always gets a "
                "(possibly empty) think block, and reasoning on turns before the last user query is dropped, as the "
                "official template does.",
)

QWEN3_NOTHINK = ChatTemplate(
    name="qwen3-nothink",
    renderer=qwen3_renderer(thinking=False),
    jinja=qwen3_jinja("qwen3-nothink", thinking=False),
    stop_words=("<|im_end|>",),
    special_tokens=SPECIAL_TOKENS,
    reference="Qwen/Qwen3-4B-Instruct-2507",
    description="Qwen3 Instruct-2507 (no thinking): ChatML with <tool_call> tools and no default system prompt; "
                "no reasoning turns.",
)


@hookimpl
def register_templates(register):
    for template in (QWEN2, QWEN2_5, QWEN3, QWEN3_NOTHINK):
        register(template)
