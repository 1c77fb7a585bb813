"""Two small quirks of official chat templates that the `ChatTemplate` data fields cannot express, added to a data
template as a renderer that wraps the engine's own rendering (so the format itself stays data):

- a closing text written only when no generation prompt is asked for: Phi-3 / Phi-3.5 / Phi-4-mini end a whole
  conversation with the eos token (`{% else %}{{ eos_token }}`); it follows the last answer's separator and is not
  trained, since the model stops at its end-of-turn token before it;
- an empty system message written as nothing (`message['role'] == 'system' and message['content']`), where the
  data fields would write an empty system turn.
"""

from __future__ import annotations

import dataclasses
import json

from tuneforge.core.templates import ChatTemplate, Segment, render, to_jinja


def with_quirks(base: ChatTemplate, *, closing: str = "", skip_empty_system: bool = False) -> ChatTemplate:
    """`base` (a data template) rendered with `closing` appended when there is no generation prompt, and with an
    empty leading system message dropped when `skip_empty_system`; its exported Jinja does the same. `closing` is a
    special token (the eos) and is added to `special_tokens`."""
    if base.renderer is not None:
        raise ValueError(f"with_quirks wraps a data template; {base.name!r} already has a renderer")

    def renderer(template, messages, tools, add_generation_prompt):
        if skip_empty_system and messages[0].role == "system" and messages[0].content == "":
            messages = messages[1:]
        segments = render(base, messages, tools, add_generation_prompt=add_generation_prompt)
        if closing and not add_generation_prompt:
            segments.append(Segment(closing, False, segments[-1].turn))
        return segments

    jinja = to_jinja(base)
    if skip_empty_system:
        jinja = ("{%- if messages and messages[0]['role'] == 'system' and messages[0]['content'] == '' %}\n"
                 "    {%- set messages = messages[1:] %}\n"
                 "{%- endif %}\n" + jinja)
    if closing:
        jinja += ("\n{%- if not add_generation_prompt %}\n"
                  "    {{- " + json.dumps(closing, ensure_ascii=False) + " }}\n"
                  "{%- endif %}")
    tokens = base.special_tokens + ((closing,) if closing and closing not in base.special_tokens else ())
    return dataclasses.replace(base, renderer=renderer, jinja=jinja, special_tokens=tokens)
