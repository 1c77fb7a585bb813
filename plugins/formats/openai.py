"""The openai format: a `messages` list of `{role, content}` objects per row, as OpenAI's chat API and fine-tuning
files, Hugging Face chat datasets and LLaMA-Factory's v1 files write them.

Roles are system (first message only), user, assistant and tool. An assistant message may carry `tool_calls` and
`reasoning_content`; a tool message may carry `tool_call_id` and `name`. Content is a string or a list of typed
parts: text, reasoning, tool_call, and media (image_url / image, video_url / video, audio_url / audio), which
become `<image>` / `<video>` / `<audio>` placeholders in the text with their paths in the record's media lists.

Rows say what they are: a row with `chosen` and `rejected` is a preference record, one with `label` a KTO record.
chosen / rejected are each an assistant message or a list of messages; lists may repeat the whole conversation
(TRL's implicit prompt, LLaMA-Factory v1's `chosen_messages`), and then the shared messages are the prompt.
Mapping a kind's column to "" switches it off for files that have an unrelated `label` column.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

from tuneforge.core import DatasetFormat, Message, Record, hookimpl
from tuneforge.core.data import (
    MEDIA_PLACEHOLDERS,
    checked_media,
    column,
    json_column,
    kto_label,
    media_column,
    parse_tool_calls,
    text_column,
    tools_column,
)
from tuneforge.core.records import ROLES

# `system` has no default: OpenAI rows keep the system prompt in `messages`; map it for files with a column.
COLUMNS = {
    "messages": "messages",
    "tools": "tools",
    "chosen": "chosen",
    "rejected": "rejected",
    "kto_tag": "label",
    "images": "images",
    "videos": "videos",
    "audios": "audios",
}

# Content part type -> the record's media list it feeds.
MEDIA_PARTS = {
    "image_url": "images",
    "image": "images",
    "video_url": "videos",
    "video": "videos",
    "audio_url": "audios",
    "audio": "audios",
}

# Per-message training weights (OpenAI's `weight`, LLaMA-Factory v1's `loss_weight`) are accepted when they say
# what tuneforge does anyway: train the assistant's messages, not the others.
WEIGHT_KEYS = ("weight", "loss_weight")
MESSAGE_KEYS = ("role", "content", "tool_calls", "tool_call_id", "name", "reasoning_content") + WEIGHT_KEYS

Media = list[tuple[str, str]]  # (media list, path) in the order the parts appear


def align_openai(row: Mapping[str, Any], columns: Mapping[str, str], tags: Mapping[str, str]) -> Record:
    if tags:
        raise ValueError(f"the openai format has fixed role names and takes no tags (got {', '.join(tags)})")
    pair = _given(row, columns, "chosen") or _given(row, columns, "rejected")
    if pair and _given(row, columns, "kto_tag"):
        raise ValueError(
            f"both a preference pair and `{columns['kto_tag']}`: a row is either a preference pair or a KTO example"
        )

    raw = json_column(row, columns, "messages", required=not pair)
    prompt = _message_list(raw, columns["messages"]) if raw is not None else []
    if pair:
        chosen = _message_list(_answer_value(row, columns, "chosen"), columns["chosen"])
        rejected = _message_list(_answer_value(row, columns, "rejected"), columns["rejected"])
        messages, media, chosen_answer, rejected_answer = _split_pair(prompt + chosen, prompt + rejected, columns)
    else:
        messages = _in_order(prompt)
        media = [item for _, items, _ in prompt for item in items]
        if not messages:
            raise ValueError("no messages besides an empty system prompt")
        if messages[-1].role != "assistant":
            raise ValueError(
                f"the conversation ends with a {messages[-1].role} message: the last message must be the "
                f"assistant's answer (a preference row needs `{columns.get('chosen', 'chosen')}` and "
                f"`{columns.get('rejected', 'rejected')}`)"
            )
        chosen_answer = rejected_answer = None

    messages = _with_system_column(row, columns, messages)
    label = None
    if not pair and _given(row, columns, "kto_tag"):
        label = kto_label(column(row, columns, "kto_tag"), columns["kto_tag"])
    record = Record(
        messages=tuple(messages),
        chosen=chosen_answer,
        rejected=rejected_answer,
        kto_label=label,
        tools=tools_column(row, columns),
        **_media(row, columns, media),
    )
    return checked_media(record)


def _given(row: Mapping[str, Any], columns: Mapping[str, str], key: str) -> bool:
    return column(row, columns, key) is not None


def _answer_value(row: Mapping[str, Any], columns: Mapping[str, str], key: str) -> list:
    value = json_column(row, columns, key, required=True)
    if isinstance(value, dict):
        return [value]
    if not isinstance(value, list) or not value:
        raise ValueError(f"column `{columns[key]}` must be an assistant message or a non-empty list of messages")
    return value


# -- messages -------------------------------------------------------------------------------------------------

Parsed = tuple[Message, Media, str]  # the message, its inline media, where it is (for error messages)


def _message_list(value: Any, name: str) -> list[Parsed]:
    if not isinstance(value, list) or not value:
        raise ValueError(f"column `{name}` must be a non-empty list of messages")
    label = "message" if name == "messages" else f"`{name}` message"
    return [_message(item, f"{label} {number}") for number, item in enumerate(value, start=1)]


def _message(raw: Any, where: str) -> Parsed:
    if not isinstance(raw, dict):
        raise ValueError(f"{where} is not an object")
    role = raw.get("role")
    if role is None:
        raise ValueError(f"missing `role` in {where}")
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r} in {where} (expected one of {', '.join(ROLES)})")
    unknown = [key for key, value in raw.items() if key not in MESSAGE_KEYS and value not in (None, "", [], {})]
    if unknown:
        raise ValueError(f"unsupported key `{unknown[0]}` in {where} (known: {', '.join(MESSAGE_KEYS)})")
    for key in WEIGHT_KEYS:
        weight = raw.get(key)
        if weight is not None and weight != (1 if role == "assistant" else 0):
            raise ValueError(
                f"`{key}` {weight!r} in {where}: per-message weights are not supported; tuneforge trains every "
                "assistant message and no other (weight 1 for assistant messages, 0 for the rest)"
            )

    content = raw.get("content")
    if content is None:
        if not (role == "assistant" and raw.get("tool_calls")):
            raise ValueError(f"missing content in {where}")
        content = ""
    text, reasoning, calls, media = _content(content, role, where)

    if raw.get("tool_calls") not in (None, []):
        if role != "assistant":
            raise ValueError(f"`tool_calls` in a {role} message ({where}): only the assistant calls tools")
        calls += parse_tool_calls(raw["tool_calls"], f"the tool_calls of {where}")
    if raw.get("reasoning_content") is not None:
        if role != "assistant" or not isinstance(raw["reasoning_content"], str):
            raise ValueError(f"`reasoning_content` in {where} must be a string on an assistant message")
        if reasoning is not None:
            raise ValueError(f"reasoning given twice in {where}: as `reasoning_content` and as a content part")
        reasoning = raw["reasoning_content"]
    name, call_id = raw.get("name"), raw.get("tool_call_id")
    for key, value in (("name", name), ("tool_call_id", call_id)):
        if value is not None and (role != "tool" or not isinstance(value, str)):
            raise ValueError(f"`{key}` in {where} must be a string on a tool message")

    if role == "system" and not text.strip():
        return Message("system", ""), media, where  # an empty system prompt: left out, as in sharegpt
    if not text.strip() and not calls and not reasoning:
        raise ValueError(f"empty content in {where}")
    return Message(role, text, tool_calls=calls, reasoning=reasoning, name=name, tool_call_id=call_id), media, where


def _content(value: Any, role: str, where: str) -> tuple[str, Optional[str], tuple, Media]:
    """(text, reasoning, tool calls, media) of a message's content: a string, or a list of typed parts."""
    if isinstance(value, str):
        return value, None, (), []
    if not isinstance(value, list):
        raise ValueError(f"non-string content in {where} ({type(value).__name__})")
    texts, reasonings, calls, media = [], [], (), []
    for number, part in enumerate(value, start=1):
        kind = part.get("type") if isinstance(part, dict) else None
        if not isinstance(kind, str):
            raise ValueError(f"content part {number} of {where} must be an object with a `type`")
        if kind in MEDIA_PARTS:
            if role != "user":
                raise ValueError(f"{kind} part in a {role} message ({where}): media go in user messages")
            media.append((MEDIA_PARTS[kind], _media_location(part, kind, number, where)))
            texts.append(MEDIA_PLACEHOLDERS[MEDIA_PARTS[kind]])
            continue
        text = part.get("text", part.get("value"))
        if not isinstance(text, str):
            raise ValueError(f"content part {number} ({kind}) of {where} needs a string `text` or `value`")
        if kind == "text":
            texts.append(text)
        elif kind == "reasoning" and role == "assistant":
            reasonings.append(text)
        elif kind == "tool_call" and role == "assistant":
            calls += parse_tool_calls(text, f"tool_call part {number} of {where}")
        else:
            raise ValueError(f"unsupported content part {kind!r} in a {role} message ({where})")
    return "".join(texts), ("".join(reasonings) if reasonings else None), calls, media


def _media_location(part: dict, kind: str, number: int, where: str) -> str:
    """The path or URL of a media part: `{"type": "image_url", "image_url": {"url": ...}}` (OpenAI),
    `{"type": "image_url", "value": ...}` (LLaMA-Factory v1), or a string under the type, `url` or `path`."""
    location = next((part[key] for key in (kind, "value", "url", "path") if part.get(key) is not None), None)
    if isinstance(location, dict):
        location = location.get("url")
    if not isinstance(location, str) or not location.strip():
        raise ValueError(f"{kind} part {number} of {where} needs a path or URL (inline data is not supported)")
    return location


# -- order and the parts of a record --------------------------------------------------------------------------

# Which role may come right before each role; None: the start of the conversation.
ALLOWED_BEFORE = {
    "user": (None, "system", "assistant"),
    "assistant": ("user", "tool"),
    "tool": ("assistant", "tool"),
}


def _in_order(parsed: list[Parsed]) -> list[Message]:
    """The messages without an empty system prompt, checked for order, tool results named after their call."""
    messages: list[Message] = []
    calls: tuple = ()  # the tool calls that the next tool results answer
    for number, (message, _, where) in enumerate(parsed):
        previous = messages[-1].role if messages else None
        if message.role == "system":
            if number != 0:
                raise ValueError(f"roles out of order at {where}: a system message can only come first")
            if message.content:
                messages.append(message)
            continue
        if previous not in ALLOWED_BEFORE[message.role]:
            expected = " or ".join(role for role, before in ALLOWED_BEFORE.items() if previous in before)
            raise ValueError(
                f"roles out of order at {where}: {message.role!r} after {previous or 'the start'!r}"
                f" (expected {expected})"
            )
        if message.role == "tool":
            if previous == "assistant" and not messages[-1].tool_calls:
                raise ValueError(f"roles out of order at {where}: a tool result after an answer without tool calls")
            message = _named(message, calls)
        elif message.role == "assistant":
            calls = message.tool_calls
        messages.append(message)
    return messages


def _named(message: Message, calls: tuple) -> Message:
    """A tool result with the name of the call it answers: by `tool_call_id`, or the only call there was."""
    if message.name is not None:
        return message
    match = [call for call in calls if message.tool_call_id is not None and call.id == message.tool_call_id]
    if not match and len(calls) == 1:
        match = list(calls)
    if len(match) != 1:
        return message  # parallel calls without ids: which one answered is unknown, as in sharegpt
    return Message("tool", message.content, name=match[0].name, tool_call_id=message.tool_call_id or match[0].id)


def _split_pair(
    chosen: list[Parsed], rejected: list[Parsed], columns: Mapping[str, str]
) -> tuple[list[Message], Media, Message, Message]:
    """(prompt, the prompt's media, chosen answer, rejected answer) of two conversations that share a prompt."""
    chosen_messages, rejected_messages = _in_order(chosen), _in_order(rejected)
    shared = 0
    for a, b in zip(chosen_messages, rejected_messages):
        if a != b:
            break
        shared += 1
    extra_chosen, extra_rejected = len(chosen_messages) - shared, len(rejected_messages) - shared
    if extra_chosen != 1 or extra_rejected != 1:
        raise ValueError(
            f"`{columns['chosen']}` and `{columns['rejected']}` must share the prompt and differ in one final "
            f"assistant answer (after {shared} shared messages, chosen has {extra_chosen} and rejected "
            f"{extra_rejected} more)"
        )
    for name, answer in ((columns["chosen"], chosen_messages[-1]), (columns["rejected"], rejected_messages[-1])):
        if answer.role != "assistant":
            raise ValueError(f"the answer in `{name}` is a {answer.role} message: it must be the assistant's")
    media = _prompt_media(chosen, shared)
    if media != _prompt_media(rejected, shared):
        raise ValueError(f"the prompts in `{columns['chosen']}` and `{columns['rejected']}` show different media")
    return chosen_messages[:shared], media, chosen_messages[-1], rejected_messages[-1]


def _prompt_media(parsed: list[Parsed], shared: int) -> Media:
    kept = [items for message, items, _ in parsed if message.role != "system" or message.content]  # as _in_order
    return [item for items in kept[:shared] for item in items]


def _with_system_column(row: Mapping[str, Any], columns: Mapping[str, str], messages: list) -> list[Message]:
    system = text_column(row, columns, "system")
    if not system or not system.strip():
        return messages
    if messages and messages[0].role == "system":
        raise ValueError(f"two system prompts: column `{columns['system']}` and the first message")
    return [Message("system", system)] + messages


def _media(row: Mapping[str, Any], columns: Mapping[str, str], inline: Media) -> dict[str, tuple[str, ...]]:
    """Media lists from the media columns or from parts inside the messages (not both for one kind)."""
    found = {}
    for kind in MEDIA_PLACEHOLDERS:
        listed = media_column(row, columns, kind)
        parts = tuple(path for media_kind, path in inline if media_kind == kind)
        if listed and parts:
            raise ValueError(f"{kind} both in column `{columns[kind]}` and as parts of the messages: give one")
        found[kind] = listed or parts
    return found


def looks_like_openai(row: Mapping[str, Any]) -> bool:
    return _role_list(row.get("messages")) or (_role_list(row.get("chosen")) and _role_list(row.get("rejected")))


def _role_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(m, dict) and "role" in m for m in value)


OPENAI = DatasetFormat(
    name="openai",
    align=align_openai,
    produces=("conversation", "preference", "kto"),
    columns=COLUMNS,
    detect=looks_like_openai,
    description="`messages` lists of role / content objects (OpenAI, Hugging Face, LLaMA-Factory v1); tool calls, "
    "reasoning, media parts, preference and KTO rows",
)


@hookimpl
def register_dataset_formats(register):
    register(OPENAI)
