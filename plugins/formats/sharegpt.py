"""The sharegpt format: a list of turns per row, with LLaMA-Factory's configurable role tags.

Turns alternate between the prompt side (user, observation) and the answer side (assistant, function_call),
after an optional system turn. A function_call turn becomes an assistant message with tool calls, an observation
turn a `tool` message. Mapping `chosen` / `rejected` (single answer turns) makes preference records, mapping
`kto_tag` makes KTO records. Content may also be a list of parts (`text`, `reasoning`, `tool_call`), as in
LLaMA-Factory's v1 data files.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

from tuneforge.core import DatasetFormat, Message, Record, hookimpl
from tuneforge.core.data import (
    checked_media,
    column,
    json_column,
    kto_label,
    media_column,
    parse_tool_calls,
    text_column,
    tools_column,
)

COLUMNS = {
    "messages": "conversations",
    "system": "system",
    "tools": "tools",
    "images": "images",
    "videos": "videos",
    "audios": "audios",
}

TAGS = {
    "role_tag": "from",
    "content_tag": "value",
    "user_tag": "human",
    "assistant_tag": "gpt",
    "observation_tag": "observation",
    "function_tag": "function_call",
    "system_tag": "system",
}

# Each tag names the role a turn takes in the standard record; a function call is an assistant turn.
ROLE_OF_TAG = {
    "user_tag": "user",
    "assistant_tag": "assistant",
    "observation_tag": "tool",
    "function_tag": "assistant",
    "system_tag": "system",
}
PROMPT_SIDE = ("user_tag", "observation_tag")
ANSWER_SIDE = ("assistant_tag", "function_tag")


def align_sharegpt(row: Mapping[str, Any], columns: Mapping[str, str], tags: Mapping[str, str]) -> Record:
    turns = json_column(row, columns, "messages", required=True)
    if not isinstance(turns, list) or not turns:
        raise ValueError(f"column `{columns['messages']}` must be a non-empty list of turns")

    system = text_column(row, columns, "system")
    first = 1
    if tags.get("system_tag") and isinstance(turns[0], dict) and turns[0].get(tags["role_tag"]) == tags["system_tag"]:
        # A system turn overrides the system column, as in LLaMA-Factory.
        system = _turn(turns[0], 1, tags, ("system_tag",), allow_empty=True).content
        first = 2
    if len(turns) < first:
        raise ValueError("no turns after the system prompt")

    messages = [Message("system", system)] if system and system.strip() else []
    for number, turn in enumerate(turns[first - 1 :], start=first):
        side = PROMPT_SIDE if (number - first) % 2 == 0 else ANSWER_SIDE
        message = _turn(turn, number, tags, side)
        if message.role == "tool" and messages and len(messages[-1].tool_calls) == 1:
            # glaive-style observations do not say which tool answered; with a single preceding call it is known.
            call = messages[-1].tool_calls[0]
            message = Message("tool", message.content, name=call.name, tool_call_id=call.id)
        messages.append(message)

    extra = dict(
        tools=tools_column(row, columns),
        images=media_column(row, columns, "images"),
        videos=media_column(row, columns, "videos"),
        audios=media_column(row, columns, "audios"),
    )
    ends_with_answer = messages[-1].role == "assistant"
    if "chosen" in columns or "rejected" in columns:
        if ends_with_answer:
            raise ValueError("a preference conversation must end with a prompt turn: `chosen` and `rejected` answer it")
        return checked_media(
            Record(
                messages=tuple(messages),
                chosen=_answer_column(row, columns, "chosen", tags),
                rejected=_answer_column(row, columns, "rejected", tags),
                **extra,
            )
        )
    if not ends_with_answer:
        raise ValueError(
            f"the conversation ends with a prompt turn at turn {len(turns)}: the last turn must be an answer"
        )
    label = None
    if "kto_tag" in columns:
        label = kto_label(column(row, columns, "kto_tag", required=True), columns["kto_tag"])
    return checked_media(Record(messages=tuple(messages), kto_label=label, **extra))


def _answer_column(row: Mapping[str, Any], columns: Mapping[str, str], key: str, tags: Mapping[str, str]) -> Message:
    value = json_column(row, columns, key, required=True)
    if not isinstance(value, dict):
        raise ValueError(f"column `{columns[key]}` must be one answer turn (an object with role and content)")
    try:
        return _turn(value, 1, tags, ANSWER_SIDE)
    except ValueError as err:
        raise ValueError(f"in column `{columns[key]}`: {err}") from None


def _turn(
    turn: Any, number: int, tags: Mapping[str, str], allowed: tuple[str, ...], allow_empty: bool = False
) -> Message:
    """One raw turn as a Message; `allowed` are the tag keys that may stand at this position.

    allow_empty: for a leading system turn, which many sharegpt dumps carry with an empty value.
    """
    if not isinstance(turn, dict):
        raise ValueError(f"turn {number} is not an object")
    role_tag, content_tag = tags["role_tag"], tags["content_tag"]
    if role_tag not in turn:
        raise ValueError(f"missing role key `{role_tag}` at turn {number}")
    tag = turn[role_tag]
    tag_key = next((key for key in ROLE_OF_TAG if tags.get(key) is not None and tags[key] == tag), None)
    if tag_key is None:
        known = ", ".join(repr(tags[key]) for key in ROLE_OF_TAG if tags.get(key) is not None)
        raise ValueError(f"unknown role tag {tag!r} at turn {number} (expected one of {known})")
    if tag_key not in allowed:
        expected = " or ".join(repr(tags[key]) for key in allowed if tags.get(key) is not None)
        raise ValueError(f"roles out of order at turn {number}: {tag!r} where {expected} was expected")
    if content_tag not in turn or turn[content_tag] is None:
        raise ValueError(f"missing content key `{content_tag}` at turn {number}")
    role = ROLE_OF_TAG[tag_key]
    content, reasoning, calls = _content(turn[content_tag], number, role)
    if tag_key == "function_tag":
        if calls:
            raise ValueError(f"tool_call parts inside a function_call turn at turn {number}")
        calls = parse_tool_calls(content, f"function_call at turn {number}")
        content = ""
    if not content.strip() and not calls and not reasoning and not allow_empty:
        raise ValueError(f"empty content at turn {number}")
    return Message(role, content, tool_calls=calls, reasoning=reasoning)


def _content(value: Any, number: int, role: str) -> tuple[str, Optional[str], tuple]:
    """(text, reasoning, tool calls) of a turn's content: a string, or a list of typed parts."""
    if isinstance(value, str):
        return value, None, ()
    if not isinstance(value, list):
        raise ValueError(f"non-string content at turn {number} ({type(value).__name__})")
    texts, reasonings, calls = [], [], ()
    for part in value:
        kind = part.get("type") if isinstance(part, dict) else None
        text = part.get("value", part.get("text")) if isinstance(part, dict) else None
        if not isinstance(text, str):
            raise ValueError(f"content part at turn {number} must be an object with `type` and a string `value`")
        if kind == "text":
            texts.append(text)
        elif kind == "reasoning" and role == "assistant":
            reasonings.append(text)
        elif kind == "tool_call" and role == "assistant":
            calls += parse_tool_calls(text, f"tool_call part at turn {number}")
        else:
            raise ValueError(f"unsupported content part {kind!r} in a {role} turn at turn {number}")
    return "".join(texts), ("".join(reasonings) if reasonings else None), calls


def looks_like_sharegpt(row: Mapping[str, Any]) -> bool:
    # Only what the default columns and tags align: `conversations` of from / value turns. A `messages` list of
    # role / content objects is the openai format's.
    turns = row.get("conversations")
    return isinstance(turns, list) and bool(turns) and all(isinstance(turn, dict) and "from" in turn for turn in turns)


SHAREGPT = DatasetFormat(
    name="sharegpt",
    align=align_sharegpt,
    produces=("conversation", "preference", "kto"),
    columns=COLUMNS,
    tags=TAGS,
    detect=looks_like_sharegpt,
    description="multi-turn conversations with role tags (ShareGPT, LLaMA-Factory); tool calls, preference, KTO",
)


@hookimpl
def register_dataset_formats(register):
    register(SHAREGPT)
