"""Google Gemma instruction-tuned models: `<start_of_turn>user` / `<start_of_turn>model` turns closed by
`<end_of_turn>\\n`, every message trimmed, `<bos>` first.

Checked against the official templates: Gemma and Gemma 2 token for token against the reference data (the Gemma 1
tokenizer's template as a trl test model copies it, and google/gemma-2-2b-it's as re-uploaded), Gemma 3 against
google/gemma-3-1b-it's (unsloth mirror) and Gemma 3n against google/gemma-3n-E4B-it's (as unsloth's code copies it)
through recorded renderings. Gemma and Gemma 2 share one template, which refuses a system message ("System role not
supported"): so do `gemma` and `gemma2`. Gemma 3 and Gemma 3n fold a system prompt into the first user turn as the
raw system text, `\\n\\n`, then the trimmed user text; the data fields would trim the two together, so `gemma3`
rewrites the conversation that way before rendering it with the plain Gemma turns (its exported Jinja does the
same).
"""

from __future__ import annotations

import dataclasses

from tuneforge.core import ChatTemplate, Message, hookimpl
from tuneforge.core.template_formats.renderers import rewriting

SPECIAL_TOKENS = ("<bos>", "<start_of_turn>", "<end_of_turn>")

GEMMA = ChatTemplate(
    name="gemma",
    prefix="<bos>",
    user="<start_of_turn>user\n{content}<end_of_turn>\n",
    assistant_prefix="<start_of_turn>model\n",
    assistant_suffix="<end_of_turn>",
    assistant_separator="\n",
    strip_content=("user", "assistant"),
    stop_words=("<end_of_turn>",),
    special_tokens=SPECIAL_TOKENS,
    reference="google/gemma-7b-it",
    description="Google Gemma (1, 1.1) instruct; no system turn (the official template refuses one); no tools.",
)

GEMMA2 = dataclasses.replace(
    GEMMA, name="gemma2", reference="google/gemma-2-2b-it",
    description="Google Gemma 2 instruct (same template as Gemma 1); no system turn; no tools.")

# The Gemma turns without trimming user messages: `fold_system` trims them itself, before adding the system text.
_GEMMA3_TURNS = dataclasses.replace(GEMMA, name="gemma3", strip_content=("assistant",))


def fold_system(template: ChatTemplate, messages: tuple[Message, ...], tools: tuple[dict, ...]):
    """The official Gemma 3 rewrite: the system text + `\\n\\n` before the first (trimmed) user message."""
    system = messages[0].content if messages[0].role == "system" else None
    out = []
    for message in messages[1:] if system is not None else messages:
        if message.role == "user":
            content = message.content.strip()
            if system is not None:
                content, system = system + "\n\n" + content, None
            message = dataclasses.replace(message, content=content)
        out.append(message)
    return out, tools


_FOLD_JINJA = """{#- Gemma 3: the system text and a blank line open the first user message; user messages are trimmed #}
{%- set fold = namespace(messages=[], system=none) %}
{%- for message in messages %}
    {%- if loop.first and message['role'] == 'system' %}
        {%- set fold.system = message['content'] %}
    {%- elif message['role'] == 'user' %}
        {%- set content = (message['content'] or '') | trim %}
        {%- if fold.system is not none %}
            {%- set content = fold.system + '\\n\\n' + content %}
            {%- set fold.system = none %}
        {%- endif %}
        {%- set fold.messages = fold.messages + [dict(message, content=content)] %}
    {%- else %}
        {%- set fold.messages = fold.messages + [message] %}
    {%- endif %}
{%- endfor %}
{%- if fold.system is not none %}
    {{- raise_exception("the conversation has only a system message: give at least one user message") }}
{%- endif %}
{%- set messages = fold.messages %}
"""


def _gemma3(name: str, reference: str, description: str) -> ChatTemplate:
    return rewriting(dataclasses.replace(_GEMMA3_TURNS, name=name), fold_system, _FOLD_JINJA, reference=reference,
                     description=description)


GEMMA3 = _gemma3("gemma3", "google/gemma-3-1b-it",
                 "Google Gemma 3 instruct (text); a system prompt opens the first user turn; no tools.")
GEMMA3N = _gemma3("gemma3n", "google/gemma-3n-E4B-it",
                  "Google Gemma 3n instruct (text; same turns as Gemma 3); a system prompt opens the first user "
                  "turn; no tools.")


@hookimpl
def register_templates(register):
    for template in (GEMMA, GEMMA2, GEMMA3, GEMMA3N):
        register(template)
