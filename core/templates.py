"""Chat templates as data, and the engine that turns a conversation into text, token ids and trained-token labels.

A `ChatTemplate` describes a chat format with a few format strings (how each role's turn is written, what opens and
closes the assistant's answer, where a system prompt goes). One engine renders every template, encodes it with the
model's tokenizer and exports it as a Jinja chat template, so that what a model is trained on, what its saved
tokenizer renders and what the model's official template renders can be compared token for token.

Only the standard library and `tuneforge.core` are imported here; the tokenizer is whatever object the caller passes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Optional, Sequence

from tuneforge.core.errors import SpecError, TemplateError
from tuneforge.core.records import ROLES, Message
from tuneforge.core.specs import _check_callable, _tupled, check_name

IGNORE_INDEX = -100  # the label transformers' loss ignores

# The placeholders each format field may hold ({...} with any other word is a typo and fails validation; braces
# that are not a placeholder, such as JSON examples in tool instructions, are plain text).
_FORMAT_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # field: (required placeholders, allowed placeholders)
    "prefix": ((), ()),
    "system": (("content",), ("content",)),
    "system_in_user": (("system", "content"), ("system", "content")),
    "user": (("content",), ("content",)),
    "assistant_prefix": ((), ()),
    "assistant": (("content",), ("content",)),
    "assistant_suffix": ((), ()),
    "assistant_separator": ((), ()),
    "reasoning": (("reasoning",), ("reasoning",)),
    "tool_definitions": (("tools",), ("tools", "system")),
    "tool_call": (("name", "arguments"), ("name", "arguments")),
    "tool_call_separator": ((), ()),
    "tool": (("content",), ("content", "name")),
    "tool_results_prefix": ((), ()),
    "tool_results_suffix": ((), ()),
}
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
# Strings that look like special tokens (`<|eot_id|>`): a template must declare every one it writes.
_SPECIAL_LOOKING = re.compile(r"<\|[^<>|\s]+\|>")


@dataclass(frozen=True)
class ChatTemplate:
    """A chat format, as data. Format strings hold `{placeholders}`; everything else in them is literal text.

    A conversation is written as: `prefix`, then the system turn, then each message in order; with
    `add_generation_prompt`, `assistant_prefix` at the end.

    name: registry key (`llama3`).
    user: format of a user turn, with `{content}`.
    system: format of a system turn, with `{content}`; None when the format has no system turn of its own.
    system_in_user: the fallback when `system` is None: how the system text is folded into the first user message
        (`{system}` and `{content}`; the result is then written with `user`). None with `system` None: a system
        message is an error.
    default_system: system text used when a conversation has none; None: no system turn then ("" writes an empty one).
    prefix: text before everything, usually the bos token (`<|begin_of_text|>`); written once.
    assistant_prefix: the assistant's header (not trained); also the generation prompt.
    assistant: format of the assistant's answer, with `{content}` (trained).
    assistant_suffix: the end-of-turn token(s) closing an answer (trained: the model must learn to stop).
    assistant_separator: text after the suffix, before the next turn (not trained: the model stops before it).
    strip_content: roles whose content is stripped of surrounding whitespace first (the official `| trim`).
    stop_words: strings that end generation; default: `assistant_suffix` without surrounding whitespace.
    special_tokens: the special-token strings the formats write (`<|eot_id|>`); checked against the tokenizer.
    text_markers: strings the formats write that look like special tokens (`<|user|>`) but are ordinary text to the
        model's tokenizer (Zephyr's, InternLM-1's `<|User|>`, OLMo's): they need not be (and must not be) listed in
        `special_tokens`, are not checked to be single tokens, and are tokenized as whatever text the tokenizer makes
        of them. Each must be written by one of the formats. Other special-looking strings must still be declared.
    train_eos: at encode time only, append the tokenizer's eos token id after each assistant answer (after the
        answer's last token: the last trainable segment of each turn), labelled like that answer (trained unless
        `mask_history` masks the answer; always with `train_on_prompt`). For formats whose text writes no
        end-of-turn token (LLaMA-Factory's `efficient_eos`): without it a model trained on them never learns to
        stop. The eos is not part of the rendered text nor of the Jinja export (inference stops on eos), so the
        encoded ids differ from `apply_chat_template(..., tokenize=True)` by exactly those inserted eos tokens
        (the text itself still matches exactly). Encoding fails if the tokenizer has no eos token.
    reasoning: format of an assistant's reasoning block written before its content, with `{reasoning}` (trained);
        None: a message with reasoning is an error.
    tool_definitions: how tool definitions (`{tools}`: each tool as JSON, one per line) are written into the system
        text (`{system}`: the conversation's system text, or `default_system`, or ""); None: tools are an error.
    tool_call: format of one tool call, with `{name}` and `{arguments}` (JSON), written after the answer's content;
        None: tool calls are an error.
    tool_call_separator: written between the content and a call, and between calls (content, if any, comes first).
    tool: format of one tool result, with `{content}` and `{name}` (the tool's name or ""); None: an error.
    tool_results_prefix / tool_results_suffix: written around each run of consecutive tool results (for formats
        that put all results of one step in one turn).
    renderer: for a format the fields above cannot express: `renderer(template, messages, tools,
        add_generation_prompt) -> list[Segment]`, called after the engine checked the role order. It must raise
        TemplateError for what it cannot write. Requires `jinja`.
    jinja: the Jinja chat template that renders like `renderer` (what `to_jinja` returns for such a template).
    reference: the hub repository whose official chat template this plugin reproduces (`org/name`), so that
        `tune templates verify` and readers know what it must match; None for a generic format (chatml).
    """

    name: str
    user: Optional[str] = None
    system: Optional[str] = None
    system_in_user: Optional[str] = None
    default_system: Optional[str] = None
    prefix: str = ""
    assistant_prefix: str = ""
    assistant: str = "{content}"
    assistant_suffix: str = ""
    assistant_separator: str = ""
    strip_content: tuple[str, ...] = ()
    stop_words: tuple[str, ...] = ()
    special_tokens: tuple[str, ...] = ()
    text_markers: tuple[str, ...] = ()
    train_eos: bool = False
    reasoning: Optional[str] = None
    tool_definitions: Optional[str] = None
    tool_call: Optional[str] = None
    tool_call_separator: str = "\n"
    tool: Optional[str] = None
    tool_results_prefix: str = ""
    tool_results_suffix: str = ""
    renderer: Optional[Callable[..., Any]] = None
    jinja: Optional[str] = None
    description: str = ""
    reference: Optional[str] = None

    def __post_init__(self) -> None:
        check_name(self.name, "chat template")
        owner = f"chat template {self.name!r}"
        for attr in ("strip_content", "stop_words", "special_tokens", "text_markers"):
            _tupled(self, attr)
        if self.renderer is not None:
            _check_callable(owner, "renderer", self.renderer)
            if not isinstance(self.jinja, str) or not self.jinja:
                raise SpecError(f"{owner}: a template with a `renderer` must also give its Jinja source as `jinja`, "
                                "so a trained model's tokenizer can carry it")
        elif self.user is None:
            raise SpecError(f"{owner}: `user` (the format of a user turn, with {{content}}) is required")
        for attr, (required, allowed) in _FORMAT_FIELDS.items():
            _check_format(owner, attr, getattr(self, attr), required, allowed)
        for attr in ("default_system", "description"):
            if getattr(self, attr) is not None and not isinstance(getattr(self, attr), str):
                raise SpecError(f"{owner}: `{attr}` must be a string")
        for role in self.strip_content:
            if role not in ROLES:
                raise SpecError(f"{owner}: strip_content names role {role!r}; roles are {', '.join(ROLES)}")
        if self.system is not None and self.system_in_user is not None:
            raise SpecError(f"{owner}: give `system` (a system turn) or `system_in_user` (the fallback without one), "
                            "not both")
        if self.renderer is None and self.system is None and self.system_in_user is None:
            for attr in ("default_system", "tool_definitions"):
                if getattr(self, attr) is not None:
                    raise SpecError(f"{owner}: `{attr}` needs somewhere to go: set `system` or `system_in_user`")
        if self.tool is not None and self.tool_call is None:
            raise SpecError(f"{owner}: `tool` (tool results) needs `tool_call`: a result always answers a call")
        if not self.stop_words and self.assistant_suffix.strip():
            object.__setattr__(self, "stop_words", (self.assistant_suffix.strip(),))
        for word in self.stop_words:
            if not isinstance(word, str) or not word:
                raise SpecError(f"{owner}: stop words must be non-empty strings, got {word!r}")
        # A special token the template writes but does not declare would be split into ordinary tokens by a
        # tokenizer that lacks it: the silent one-token-off failure this module exists to prevent.
        text = "".join(getattr(self, attr) or "" for attr in _FORMAT_FIELDS) + (self.jinja or "")
        for token in self.special_tokens:
            if not isinstance(token, str) or not token or token not in text:
                raise SpecError(f"{owner}: special token {token!r} is not written by any of its formats")
        if not isinstance(self.train_eos, bool):
            raise SpecError(f"{owner}: `train_eos` must be True or False, got {self.train_eos!r}")
        for marker in self.text_markers:
            if not isinstance(marker, str) or not marker or marker not in text:
                raise SpecError(f"{owner}: text marker {marker!r} is not written by any of its formats")
            if marker in self.special_tokens:
                raise SpecError(f"{owner}: {marker!r} is listed both in `special_tokens` and in `text_markers`; "
                                "it is one or the other for the model's tokenizer")
        undeclared = sorted(set(_SPECIAL_LOOKING.findall(text)) - set(self.special_tokens) - set(self.text_markers))
        if undeclared:
            raise SpecError(f"{owner}: writes {', '.join(undeclared)} but does not list it in `special_tokens`")


def _check_format(owner: str, attr: str, value: Any, required: tuple[str, ...], allowed: tuple[str, ...]) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        raise SpecError(f"{owner}: `{attr}` must be a string, got {type(value).__name__}")
    found = _PLACEHOLDER.findall(value)
    for word in found:
        if word not in allowed:
            hint = f"; it may hold {', '.join('{' + a + '}' for a in allowed)}" if allowed else "; it holds none"
            raise SpecError(f"{owner}: `{attr}` has an unknown placeholder {{{word}}}{hint}")
    for word in required:
        if found.count(word) != 1:
            raise SpecError(f"{owner}: `{attr}` must hold {{{word}}} exactly once, in {value!r}")


@dataclass(frozen=True)
class Segment:
    """A piece of rendered text. trainable: assistant answer + end-of-turn suffix. turn: index of the assistant
    answer the piece belongs to (a prompt belongs to the answer that follows it)."""

    text: str
    trainable: bool
    turn: int


@dataclass
class Encoded:
    """Token ids of one conversation and their labels (the id where trained, -100 elsewhere).

    truncated: cutoff_len cut into an answer, or left nothing trained; dropping whole trailing turns is not a
    truncation."""

    input_ids: list[int]
    labels: list[int]
    truncated: bool


# ---------------------------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------------------------


def render(template: ChatTemplate, messages: Sequence[Message], tools: Sequence[dict] = (), *,
           add_generation_prompt: bool = False) -> list[Segment]:
    """Render a conversation into segments whose texts, joined, are exactly what the official template renders.

    Raises TemplateError for a conversation the template cannot render (the message says which message and why).
    """
    messages, tools = tuple(messages), tuple(tools or ())
    _validate(template, messages, tools, add_generation_prompt)
    if template.renderer is not None:
        return list(template.renderer(template, messages, tools, add_generation_prompt))
    return _render_data(template, messages, tools, add_generation_prompt)


def render_text(template: ChatTemplate, messages: Sequence[Message], tools: Sequence[dict] = (), *,
                add_generation_prompt: bool = False) -> str:
    """The rendered conversation as one string (what `tokenizer.apply_chat_template(..., tokenize=False)` gives)."""
    return "".join(s.text for s in render(template, messages, tools, add_generation_prompt=add_generation_prompt))


def _fill(fmt: str, **values: str) -> str:
    # One pass over the format only: content containing "{content}" or "{system}" is never substituted again.
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], fmt)


def _arguments_json(arguments: Any) -> str:
    # Same as the HF `tojson` filter (json.dumps, ensure_ascii=False); a string is taken as already-encoded JSON.
    return arguments if isinstance(arguments, str) else json.dumps(arguments, ensure_ascii=False)


def _tools_json(tools: Iterable[dict]) -> str:
    return "\n".join(json.dumps(tool, ensure_ascii=False) for tool in tools)


def _render_data(t: ChatTemplate, messages: tuple[Message, ...], tools: tuple[dict, ...],
                 add_generation_prompt: bool) -> list[Segment]:
    out: list[Segment] = []

    def emit(text: str, trainable: bool, turn: int) -> None:
        if text:
            out.append(Segment(text, trainable, turn))

    def content_of(message: Message) -> str:
        return message.content.strip() if message.role in t.strip_content else message.content

    if messages[0].role == "system":
        system: Optional[str] = content_of(messages[0])
        body = messages[1:]
    else:
        system, body = t.default_system, messages
    if tools:
        system = _fill(t.tool_definitions, system=system or "", tools=_tools_json(tools))

    emit(t.prefix, False, 0)
    pending_system = None  # system text still to fold into the first user message
    if system is not None:
        if t.system is not None:
            emit(_fill(t.system, content=system), False, 0)
        else:
            pending_system = system

    turn = 0
    for i, message in enumerate(body):
        if message.role == "user":
            content = message.content
            if pending_system is not None:
                content = _fill(t.system_in_user, system=pending_system, content=content)
                pending_system = None
            if "user" in t.strip_content:
                content = content.strip()  # after folding in the system text, as the official llama2 template does
            emit(_fill(t.user, content=content), False, turn)
        elif message.role == "tool":
            if i == 0 or body[i - 1].role != "tool":
                emit(t.tool_results_prefix, False, turn)
            emit(_fill(t.tool, content=content_of(message), name=message.name or ""), False, turn)
            if i + 1 == len(body) or body[i + 1].role != "tool":
                emit(t.tool_results_suffix, False, turn)
        else:  # assistant; _validate allows nothing else here
            emit(t.assistant_prefix, False, turn)
            emit(_fill(t.assistant, content=_answer(t, message, content_of(message))) + t.assistant_suffix, True, turn)
            emit(t.assistant_separator, False, turn)
            turn += 1
    if add_generation_prompt:
        emit(t.assistant_prefix, False, turn)
    return out


def _answer(t: ChatTemplate, message: Message, content: str) -> str:
    """The assistant's answer before the `assistant` format: reasoning block, content, tool calls."""
    answer = content
    if message.tool_calls:
        calls = [_fill(t.tool_call, name=call.name, arguments=_arguments_json(call.arguments))
                 for call in message.tool_calls]
        answer = t.tool_call_separator.join(([content] if content else []) + calls)
    if message.reasoning is not None:
        answer = _fill(t.reasoning, reasoning=message.reasoning) + answer
    return answer


def _validate(t: ChatTemplate, messages: tuple[Message, ...], tools: tuple[dict, ...],
              add_generation_prompt: bool) -> None:
    """Raise TemplateError for a conversation no template should render, or that this one cannot write."""
    if not messages:
        raise TemplateError("the conversation is empty: give at least one user message")
    for i, message in enumerate(messages):
        if not isinstance(message, Message):
            raise TemplateError(f"message {i} is a {type(message).__name__}, not a tuneforge.core.Message: "
                                "convert records to the standard record first (the dataset format does this)")
    for tool in tools:
        if not isinstance(tool, dict):
            raise TemplateError(f"a tool definition is a {type(tool).__name__}, not a JSON-schema dict")
    if t.renderer is None:
        _check_supported(t, messages, tools)

    previous: Optional[Message] = None
    for i, message in enumerate(messages):
        where = f"message {i} ({message.role})"
        if message.role != "assistant" and (message.tool_calls or message.reasoning is not None):
            raise TemplateError(f"{where} carries tool calls or reasoning: only assistant messages can")
        called = previous is not None and previous.role == "assistant" and bool(previous.tool_calls)
        if message.role == "system":
            if i != 0:
                raise TemplateError(f"{where}: a system message must be the first message; move it to the front "
                                    "or merge it into the first one")
        elif message.role == "user":
            if called:
                raise TemplateError(f"{where} follows an assistant tool call: the tool results (role `tool`) must "
                                    "come before the next user message")
            if previous is not None and previous.role == "user":
                raise TemplateError(f"{where} follows another user message: roles must alternate "
                                    "user/assistant; merge the consecutive user messages or drop one")
            if previous is not None and previous.role == "tool":
                raise TemplateError(f"{where} follows a tool result: an assistant message must answer the tool "
                                    "results first")
        elif message.role == "assistant":
            if previous is None or previous.role == "system":
                raise TemplateError(f"{where}: the conversation must start with a user message (after an "
                                    "optional system message), not an assistant one")
            if previous.role == "assistant":
                raise TemplateError(f"{where} follows another assistant message: roles must alternate "
                                    "user/assistant; merge the consecutive answers or drop one")
            if not message.content.strip() and not message.tool_calls and message.reasoning is None:
                raise TemplateError(f"{where} is empty: an answer needs content (or tool calls) to train on; "
                                    "fill it in or drop the record")
        elif not (called or (previous is not None and previous.role == "tool")):  # tool result
            raise TemplateError(f"{where} is a tool result without a preceding tool call: it must follow an "
                                "assistant message with tool_calls (or another tool result)")
        previous = message
    if all(message.role == "system" for message in messages):
        raise TemplateError("the conversation has only a system message: give at least one user message")
    if add_generation_prompt and messages[-1].role == "assistant":
        raise TemplateError("add_generation_prompt is set but the conversation already ends with an assistant "
                            "message: drop the last answer to prompt for a new one")


def _check_supported(t: ChatTemplate, messages: tuple[Message, ...], tools: tuple[dict, ...]) -> None:
    fix = "choose a template that supports them, or drop them from the record"
    if tools and t.tool_definitions is None:
        raise TemplateError(f"chat template '{t.name}' cannot write tool definitions: {fix}")
    if messages[0].role == "system" and t.system is None and t.system_in_user is None:
        raise TemplateError(f"chat template '{t.name}' has no system turn: drop the system message or choose "
                            "a template with one")
    for i, message in enumerate(messages):
        where = f"message {i} ({message.role})"
        if message.tool_calls and t.tool_call is None:
            raise TemplateError(f"{where} has tool calls, which chat template '{t.name}' cannot write: {fix}")
        if message.role == "tool" and t.tool is None:
            raise TemplateError(f"{where} is a tool result, which chat template '{t.name}' cannot write: {fix}")
        if message.reasoning is not None and t.reasoning is None:
            raise TemplateError(f"{where} has a reasoning block, which chat template '{t.name}' cannot write: "
                                "choose a reasoning template, or move the reasoning into the content")


# ---------------------------------------------------------------------------------------------------------------
# Encoding
# ---------------------------------------------------------------------------------------------------------------

# EncodedBatch.status of each row: it fit; cutoff_len dropped whole trailing turns; or it was cut into an answer
# (or left nothing trained).
FITS, TURNS_DROPPED, TRUNCATED = 0, 1, 2


def encode(template: ChatTemplate, tokenizer: Any, messages: Sequence[Message], tools: Sequence[dict] = (), *,
           cutoff_len: Optional[int] = None, mask_history: bool = False, train_on_prompt: bool = False) -> Encoded:
    """Token ids and labels of one conversation; see `encode_batch`."""
    return encode_batch(template, tokenizer, [(messages, tools)], cutoff_len=cutoff_len, mask_history=mask_history,
                        train_on_prompt=train_on_prompt)[0]


def encode_batch(template: ChatTemplate, tokenizer: Any,
                 conversations: Sequence[tuple[Sequence[Message], Sequence[dict]]], *,
                 cutoff_len: Optional[int] = None, mask_history: bool = False,
                 train_on_prompt: bool = False) -> list[Encoded]:
    """Encode conversations that end with the assistant's answer.

    Each rendered text is tokenized whole, in one tokenizer call for the batch, so the ids are exactly those of
    `tokenizer.apply_chat_template(..., tokenize=True)`; trained characters are mapped to tokens through the offsets
    (a token is trained when it overlaps a trained character).

    Trained: every assistant answer with its end-of-turn suffix; only the last one with `mask_history`; every token
    with `train_on_prompt`. With `cutoff_len`, whole trailing turns (prompt + answer) that do not fit are dropped.
    When not even the first trained answer fits (with `mask_history`: when the last one does not), the sequence is
    cut at `cutoff_len` and `truncated` is set; if no trained token is left, every label is -100.

    A conversation the template cannot render raises TemplateError with `.index` set to its position in the batch.
    """
    _check_cutoff(cutoff_len)
    rendered: list[list[Segment]] = []
    for index, (messages, tools) in enumerate(conversations):
        try:
            rendered.append(training_segments(template, messages, tools))
        except TemplateError as exc:
            exc.index = index
            raise
    if not rendered:
        return []
    return encode_rendered(template, tokenizer, rendered, cutoff_len=cutoff_len, mask_history=mask_history,
                           train_on_prompt=train_on_prompt).encoded()


def training_segments(template: ChatTemplate, messages: Sequence[Message], tools: Sequence[dict] = ()) -> list[Segment]:
    """`render` a conversation to train on; TemplateError unless it ends with the assistant's answer."""
    messages = tuple(messages)
    segments = render(template, messages, tools)
    if messages[-1].role != "assistant":
        raise TemplateError(f"the last message is a {messages[-1].role} message: a conversation to train on "
                            "must end with the assistant's answer")
    return segments


@dataclass
class EncodedBatch:
    """Encoded conversations as flat numpy arrays: row i is `input_ids[offsets[i]:offsets[i + 1]]`, its labels the
    same slice of `labels`; `status[i]` is FITS, TURNS_DROPPED or TRUNCATED."""

    input_ids: Any
    labels: Any
    offsets: Any
    status: Any

    def __len__(self) -> int:
        return len(self.status)

    def encoded(self) -> list[Encoded]:
        ids, labels, offsets = self.input_ids.tolist(), self.labels.tolist(), self.offsets.tolist()
        return [Encoded(ids[a:b], labels[a:b], status == TRUNCATED)
                for a, b, status in zip(offsets, offsets[1:], self.status.tolist())]


def encode_rendered(template: ChatTemplate, tokenizer: Any, rendered: Sequence[Sequence[Segment]], *,
                    cutoff_len: Optional[int] = None, mask_history: bool = False, train_on_prompt: bool = False,
                    truncation: str = "drop_turns") -> EncodedBatch:
    """Encode conversations already rendered by `training_segments`, as `encode_batch` does.

    truncation: what `cutoff_len` does to a longer row: `drop_turns` (as `encode_batch`: drop whole trailing turns,
    cut only when not even the first needed answer fits) or `truncate` (cut at `cutoff_len`, always TRUNCATED).
    """
    import numpy as np

    _check_cutoff(cutoff_len)
    if truncation not in ("drop_turns", "truncate"):
        raise ValueError(f"truncation must be 'drop_turns' or 'truncate', got {truncation!r}")
    _check_tokenizer(template, tokenizer)
    texts = ["".join([s.text for s in segments]) for segments in rendered]
    # Token ids and character offsets, the offsets counted from the start of the whole batch (the texts joined), so
    # that every span of every conversation maps to tokens in one vectorised search.
    ids, starts, ends, counts = _tokenize(tokenizer, texts)
    if len(ends) > 1 and bool((ends[1:] < ends[:-1]).any()):
        raise TemplateError("the tokenizer returned character offsets out of order, so trained characters cannot be "
                            "mapped to tokens; use a fast (tokenizers-backed) tokenizer")
    row_start = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(counts, out=row_start[1:])

    if train_on_prompt:
        labels = ids
    else:
        span_starts, span_ends = [], []
        position = 0
        for segments in rendered:
            last_turn = segments[-1].turn
            for segment in segments:
                end = position + len(segment.text)
                if segment.trainable and (not mask_history or segment.turn == last_turn):
                    span_starts.append(position)
                    span_ends.append(end)
                position = end
        first = np.searchsorted(ends, span_starts, side="right")  # tokens overlapping each trained span
        stop = np.searchsorted(starts, span_ends, side="left")
        some = stop > first
        change = np.zeros(len(ids) + 1, dtype=np.int32)  # +1 where a span's tokens start, -1 after them
        np.add.at(change, first[some], 1)
        np.add.at(change, stop[some], -1)
        labels = np.where(np.cumsum(change[:-1], dtype=np.int32) > 0, ids, IGNORE_INDEX)

    if template.train_eos:
        ids, labels, starts, counts = _insert_eos(tokenizer, rendered, ids, labels, starts, counts,
                                                  mask_history=mask_history, train_on_prompt=train_on_prompt)
        row_start = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum(counts, out=row_start[1:])

    kept = counts.copy()
    status = np.zeros(len(texts), dtype=np.int8)
    longer = np.flatnonzero(counts > cutoff_len) if cutoff_len is not None else ()
    if len(longer):
        bases = _text_bases(texts)
        for i in longer.tolist():
            if truncation == "truncate":
                kept[i], status[i] = cutoff_len, TRUNCATED
                continue
            segments = rendered[i]
            # Token index where each turn ends: the first token starting at or after the next turn's first character.
            boundaries, position = [], int(bases[i])
            for previous, segment in zip(segments, segments[1:]):
                position += len(previous.text)
                if segment.turn != previous.turn:
                    boundaries.append(position)
            turn_ends = (np.searchsorted(starts, boundaries, side="left") - row_start[i]).tolist() + [int(counts[i])]
            fitting = [k for k, end in enumerate(turn_ends) if end <= cutoff_len]
            needed = segments[-1].turn if mask_history and not train_on_prompt else 0  # must survive whole
            if fitting and fitting[-1] >= needed:
                kept[i], status[i] = turn_ends[fitting[-1]], TURNS_DROPPED
            else:
                kept[i], status[i] = cutoff_len, TRUNCATED
        keep = np.arange(len(ids)) - np.repeat(row_start[:-1], counts) < np.repeat(kept, counts)
        ids, labels = ids[keep], labels[keep]
    ids, labels = ids.astype(np.int32), labels.astype(np.int32)
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(kept, out=offsets[1:])
    trained = np.zeros(len(labels) + 1, dtype=np.int64)
    np.cumsum(labels != IGNORE_INDEX, out=trained[1:])
    status[trained[offsets[1:]] == trained[offsets[:-1]]] = TRUNCATED  # nothing left to train
    return EncodedBatch(ids, labels, offsets, status)


def _insert_eos(tokenizer: Any, rendered: Sequence[Sequence[Segment]], ids: Any, labels: Any, starts: Any,
                counts: Any, *, mask_history: bool, train_on_prompt: bool):
    """`train_eos`: the tokenizer's eos id inserted after the last token of each answer (the last trainable segment
    of each turn), labelled like that answer. Each eos gets the start offset of the answer's last character, so the
    turn boundaries found later through `starts` count it in its answer's turn."""
    import numpy as np

    eos = getattr(tokenizer, "eos_token_id", None)
    if not isinstance(eos, int) or isinstance(eos, bool):
        raise TemplateError("the chat template sets `train_eos`, but the tokenizer has no eos token to append after "
                            "each answer: set the tokenizer's eos_token, or choose a template without `train_eos`")
    answer_ends, trained, rows = [], [], []
    position = 0
    for row, segments in enumerate(rendered):
        last_turn = segments[-1].turn
        turn_end: dict[int, int] = {}  # turn -> where its last trainable segment ends
        for segment in segments:
            end = position + len(segment.text)
            if segment.trainable:
                turn_end[segment.turn] = end
            position = end
        for turn, end in sorted(turn_end.items()):
            answer_ends.append(end)
            trained.append(train_on_prompt or not mask_history or turn == last_turn)
            rows.append(row)
    if not answer_ends:
        return ids, labels, starts, counts
    ends = np.asarray(answer_ends, dtype=np.int64)
    at = np.searchsorted(starts, ends, side="left")  # after every token that starts inside the answer
    ids = np.insert(ids, at, eos)
    labels = np.insert(labels, at, np.where(np.asarray(trained), eos, IGNORE_INDEX))
    starts = np.insert(starts, at, ends - 1)
    counts = counts + np.bincount(np.asarray(rows, dtype=np.int64), minlength=len(rendered))
    return ids, labels, starts, counts


def _check_cutoff(cutoff_len: Optional[int]) -> None:
    if cutoff_len is not None and (not isinstance(cutoff_len, int) or cutoff_len < 1):
        raise ValueError(f"cutoff_len must be a positive integer or None, got {cutoff_len!r}")


def _check_tokenizer(template: ChatTemplate, tokenizer: Any) -> None:
    # One small tokenizer call per batch: a tokenizer without the template's special tokens would split them into
    # ordinary pieces and train the model on the wrong end-of-turn token without any error.
    tokens = list(template.special_tokens)
    if not tokens:
        return
    pieces = tokenizer(tokens, add_special_tokens=False)["input_ids"]
    missing = [token for token, ids in zip(tokens, pieces) if len(ids) != 1]
    if missing:
        raise TemplateError(f"chat template '{template.name}' writes {', '.join(missing)}, which the tokenizer does "
                            "not know as single tokens: add them with `tokenizer.add_special_tokens("
                            "{'additional_special_tokens': [...]})` (and resize the model's embeddings), or choose the "
                            "model's own template")


# Tokenizing. `tokenizer(texts, add_special_tokens=False, return_offsets_mapping=True)` is the reference; the faster
# paths below give exactly its ids and offsets, and are only taken where that can be checked from the tokenizer's
# own configuration.


def _text_bases(texts: Sequence[str]):
    """Where each text starts when the texts are joined."""
    import numpy as np

    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    return np.cumsum(lengths) - lengths


def _tokenize(tokenizer: Any, texts: list[str]):
    """(ids, starts, ends, counts): flat numpy arrays of every text's tokens, character offsets counted from the
    start of the batch, and the number of tokens of each text."""
    backend = _fast_backend(tokenizer)
    if isinstance(backend, _PieceEncoder):
        return backend.encode(texts)
    if backend is not None:
        encodings = backend.encode_batch(texts, add_special_tokens=False)
        return _flatten(texts, [e.ids for e in encodings], [e.offsets for e in encodings])
    batch = tokenizer(texts, add_special_tokens=False, return_offsets_mapping=True)
    return _flatten(texts, batch["input_ids"], batch["offset_mapping"])


def _flatten(texts: list[str], ids: Sequence[Sequence[int]], offsets: Sequence[Sequence[Sequence[int]]]):
    import numpy as np
    from itertools import chain

    counts = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
    total = int(counts.sum())
    flat_ids = np.fromiter(chain.from_iterable(ids), dtype=np.int64, count=total)
    pairs = np.fromiter(chain.from_iterable(chain.from_iterable(offsets)), dtype=np.int64, count=2 * total)
    pairs = pairs.reshape(total, 2) + np.repeat(_text_bases(texts), counts)[:, None]
    return flat_ids, pairs[:, 0], pairs[:, 1], counts


_BACKENDS: Any = None  # tokenizer -> (signature, backend), see _fast_backend


def _fast_backend(tokenizer: Any) -> Any:
    """The fastest exact way to tokenize with `tokenizer`: a `_PieceEncoder`, its `tokenizers.Tokenizer` (called
    directly, without transformers' per-call bookkeeping), or None for the tokenizer's own `__call__`."""
    global _BACKENDS
    import weakref

    backend = getattr(tokenizer, "_tokenizer", None)
    if backend is None or not hasattr(backend, "encode_batch") or not hasattr(backend, "to_str"):
        return None
    try:
        signature = (id(backend), backend.get_vocab_size(with_added_tokens=True), backend.encode_special_tokens,
                     bool(getattr(tokenizer, "split_special_tokens", False)), backend.truncation, backend.padding)
    except AttributeError:
        return None
    if _BACKENDS is None:
        _BACKENDS = weakref.WeakKeyDictionary()
    try:
        cached = _BACKENDS.get(tokenizer)
    except TypeError:  # not weakly referenceable: decide every time
        cached = None
    if cached is not None and cached[0] == signature:
        chosen = cached[1]
        if isinstance(chosen, _PieceEncoder) and chosen.disabled:
            chosen = chosen.backend  # it met a piece it could not tile: the plain backend from now on
    else:
        chosen = None
        if _calls_backend_directly(tokenizer) and signature[2] == signature[3] and signature[4] is None \
                and signature[5] is None:
            # With split_special_tokens, special tokens stay text: the piece path assumes they are split out.
            chosen = (None if signature[2] else _PieceEncoder.build(backend)) or backend
    try:
        _BACKENDS[tokenizer] = (signature, chosen)
    except TypeError:
        pass
    return chosen


def _calls_backend_directly(tokenizer: Any) -> bool:
    """True when `tokenizer(texts)` is transformers' plain call of its tokenizers backend (no subclass changes it)."""
    try:
        from transformers.tokenization_utils_tokenizers import TokenizersBackend
    except ImportError:
        return False
    cls = type(tokenizer)
    return isinstance(tokenizer, TokenizersBackend) and all(
        getattr(cls, name) is getattr(TokenizersBackend, name) for name in ("__call__", "_encode_plus"))


class _PieceEncoder:
    """Exact, faster tokenization for sentencepiece-style BPE tokenizers (Llama 2, Mistral, ...): no normalizer, a
    Metaspace pre-tokenizer that does not split (so BPE runs over whole sentences and its word cache never hits),
    byte fallback.

    When no vocabulary token has `▁` right after another character, no merge can cross the point before a run of
    spaces, so BPE over each space-led piece (` the`, `  foo`) gives the same tokens as over the whole text. Pieces
    are tokenized once and cached here (as packed int32 triples: id, end minus the previous token's end, end minus
    start); only new ones go to the tokenizer. Added tokens are split out exactly as the tokenizer does it (those
    that are not normalized first, then the others). A text the pre-tokenizer would prefix with `▁` (its start is
    not an added token) goes to the tokenizer whole.

    Most texts have single spaces only: they are cut with `str.split(" ")`, and each word looked up as is (the first)
    or as the word after a space (the others). Texts with double spaces or `▁` are cut into pieces by a regex.
    """

    MAX_CACHED = 500_000
    _PIECE = re.compile("[ \u2581]*[^ \u2581]+|[ \u2581]+")

    def __init__(self, backend: Any, raw: Any, prepend_first: bool, added: list[tuple[str, int, bool]]) -> None:
        import struct

        self.backend = backend  # for whole texts
        self.raw = raw  # the same tokenizer with a pre-tokenizer that never prefixes `▁`: tokenizes pieces
        self.prepend_first = prepend_first
        self.passes = []
        for normalized in (False, True):
            contents = sorted((c for c, _, n in added if n == normalized), key=len, reverse=True)
            if contents:
                self.passes.append(re.compile("(" + "|".join(map(re.escape, contents)) + ")"))
        self.specials = {content: struct.pack("<3i", token, len(content), len(content)) for content, token, _ in added}
        self.added_start = re.compile("[" + "".join(sorted({re.escape(c[0]) for c, _, _ in added})) + "]")
        # Words can be cut at single spaces only if no added token holds a space (it would be cut in two).
        self.by_words = not any(" " in content or "\u2581" in content for content, _, _ in added)
        self.disabled = False
        self._reset()

    def _reset(self) -> None:
        self.first: dict[str, Any] = {}  # a text's first word -> tokens; False: the start gets a `▁`
        self.spaced: dict[str, bytes] = {}  # a word after a space -> tokens of " " + word
        self.pieces: dict[str, bytes] = dict(self.specials)  # a regex-cut piece, or an added token -> tokens

    @classmethod
    def build(cls, backend: Any) -> Optional["_PieceEncoder"]:
        from tokenizers import Regex, Tokenizer, models, pre_tokenizers

        pre, model = backend.pre_tokenizer, backend.model
        if (backend.normalizer is not None or not isinstance(pre, pre_tokenizers.Metaspace) or pre.split
                or pre.replacement != "\u2581" or pre.prepend_scheme not in ("first", "never")
                or not isinstance(model, models.BPE) or model.dropout or getattr(model, "ignore_merges", True)
                or model.continuing_subword_prefix or model.end_of_word_suffix):
            return None
        glued = re.compile("[^\u2581]\u2581")  # a `▁` right after another character
        if any(glued.search(token) for token in backend.get_vocab(with_added_tokens=False)):
            return None
        added = []
        for token, spec in backend.get_added_tokens_decoder().items():
            if spec.lstrip or spec.rstrip or spec.single_word or not spec.content:
                return None
            added.append((spec.content, token, bool(spec.normalized)))
        # The same BPE model (shared, not copied) behind a pre-tokenizer that never prefixes `▁` and cuts before
        # each run of `▁` (safe, see above), so that BPE works word by word; pieces hold no added token.
        raw = Tokenizer(model)
        raw.pre_tokenizer = pre_tokenizers.Sequence([
            pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="never", split=False),
            pre_tokenizers.Split(Regex("\u2581+"), behavior="merged_with_next")])
        return cls(backend, raw, pre.prepend_scheme == "first", added)

    def _split_added(self, text: str) -> list[str]:
        """The text cut around added tokens, which sit at the odd positions."""
        parts = [text]
        if not self.added_start.search(text):  # most words hold no added token
            return parts
        for pattern in self.passes:
            parts = [piece for i, part in enumerate(parts) for piece in ((part,) if i % 2 else pattern.split(part))]
        return parts

    def _pieces(self, text: str) -> Optional[list[str]]:
        parts = self._split_added(text)
        if self.prepend_first and parts[0] and parts[0][0] not in " \u2581":
            return None
        pieces: list[str] = []
        for i, part in enumerate(parts):
            if i % 2:
                pieces.append(part)
            else:
                pieces += self._PIECE.findall(part)
        return pieces

    def _found(self, text: str) -> Optional[list]:
        """The cached tokens of each word or piece of the text (None where unknown); None: tokenize it whole."""
        if self.by_words and "  " not in text and "\u2581" not in text:
            words = text.split(" ")
            found = list(map(self.spaced.get, words))
            found[0] = self.first.get(words[0])
            return None if found[0] is False else found
        pieces = self._pieces(text)
        return None if pieces is None else list(map(self.pieces.get, pieces))

    def encode(self, texts: list[str]):
        import numpy as np

        if len(self.first) + len(self.spaced) + len(self.pieces) > self.MAX_CACHED:
            self._reset()
        found = [self._found(text) for text in texts]
        try:
            blobs = [b"".join(tokens) if tokens is not None else self._whole(text)
                     for text, tokens in zip(texts, found)]
        except TypeError:  # a None among the tokens: some words are new
            self._learn([text for text, tokens in zip(texts, found) if tokens is not None and None in tokens])
            if self.disabled:
                encodings = self.backend.encode_batch(texts, add_special_tokens=False)
                return _flatten(texts, [e.ids for e in encodings], [e.offsets for e in encodings])
            blobs = [b"".join(tokens) if tokens is not None else self._whole(text)
                     for text, tokens in zip(texts, map(self._found, texts))]
        counts = np.fromiter(map(len, blobs), dtype=np.int64, count=len(blobs)) // 12
        table = np.frombuffer(b"".join(blobs), dtype=np.int32).reshape(-1, 3)
        # Each text's token ends are the running sum of its steps, moved to where the text starts in the batch.
        running = np.zeros(len(table) + 1, dtype=np.int64)
        np.cumsum(table[:, 1], out=running[1:])
        row_start = np.cumsum(counts) - counts
        ends = running[1:] - np.repeat(running[row_start] - _text_bases(texts), counts)
        return table[:, 0], ends - table[:, 2], ends, counts

    def _learn(self, texts: list[str]) -> None:
        """Tokenize the new words and pieces of `texts` and cache them."""
        first, spaced, pieces = self.first, self.spaced, self.pieces
        jobs: dict[tuple[int, str], list[str]] = {}  # (0 first / 1 spaced / 2 pieces, key) -> key cut around added
        for text in texts:
            if self.by_words and "  " not in text and "\u2581" not in text:
                head, *words = text.split(" ")
                if head not in first and (0, head) not in jobs:
                    parts = self._split_added(head)
                    if self.prepend_first and parts[0]:
                        first[head] = False
                    else:
                        jobs[0, head] = parts
                for word in words:
                    if word not in spaced and (1, word) not in jobs:
                        jobs[1, word] = self._split_added(" " + word)
            else:
                for piece in self._pieces(text) or ():
                    if piece not in pieces and (2, piece) not in jobs:
                        jobs[2, piece] = [piece]
        tokens = self._tokenize_chunks({part for parts in jobs.values() for part in parts[::2] if part})
        if tokens is None:
            self.disabled = True
            return
        caches = (first, spaced, pieces)
        for (cache, key), parts in jobs.items():
            caches[cache][key] = b"".join(self.specials[part] if i % 2 else tokens[part]
                                          for i, part in enumerate(parts) if part)

    def _tokenize_chunks(self, chunks: set[str]) -> Optional[dict[str, bytes]]:
        """Each chunk's tokens; None if some chunk's tokens do not tile it (this class's premise fails).

        Chunks that start with a space and end with something else are tokenized many to a sequence, joined: the
        join points are safe cut points, so the joined text gives each chunk's own tokens, and one long sequence
        costs far less than many short ones."""
        import numpy as np

        joinable = [c for c in chunks if c[0] in " \u2581" and c[-1] not in " \u2581"]
        alone = [c for c in chunks if not (c[0] in " \u2581" and c[-1] not in " \u2581")]
        groups = [joinable[i:i + 512] for i in range(0, len(joinable), 512)]
        encodings = self.raw.encode_batch(["".join(g) for g in groups] + alone, add_special_tokens=False)
        out = {}
        for chunk, encoding in zip(alone, encodings[len(groups):]):
            out[chunk] = _steps(encoding)
            if _steps_length(out[chunk]) != len(chunk):
                return None
        for group, encoding in zip(groups, encodings):
            ids = np.array(encoding.ids, dtype=np.int64)
            offsets = np.array(encoding.offsets, dtype=np.int64).reshape(-1, 2)
            starts, ends = offsets[:, 0], offsets[:, 1]
            bounds = np.concatenate(([0], np.cumsum([len(chunk) for chunk in group])))
            first = np.searchsorted(starts, bounds[:-1], side="left")  # each chunk's first token
            # Tiling: chunks start on a fresh token, each chunk's last token ends where the chunk does.
            if (not len(ids) or (np.diff(first) <= 0).any() or ends[-1] != bounds[-1]
                    or (ends[first[1:] - 1] != bounds[1:-1]).any()):
                return None
            previous = np.concatenate(([0], ends[:-1]))
            previous[first] = bounds[:-1]
            steps = np.stack([ids, ends - previous, ends - starts], axis=1).astype(np.int32).tobytes()
            for chunk, a, b in zip(group, (first * 12).tolist(), (np.append(first[1:], len(ids)) * 12).tolist()):
                out[chunk] = steps[a:b]
        return out

    def _whole(self, text: str) -> bytes:
        return _steps(self.backend.encode(text, add_special_tokens=False))


def _steps(encoding: Any) -> bytes:
    """An encoding as packed int32 triples: id, end minus the previous token's end, end minus start."""
    import struct

    previous, values = 0, []
    for token, (start, end) in zip(encoding.ids, encoding.offsets):
        values += (token, end - previous, end - start)
        previous = end
    return struct.pack(f"<{len(values)}i", *values)


def _steps_length(steps: bytes) -> int:
    import struct

    return sum(struct.unpack(f"<{len(steps) // 4}i", steps)[1::3])


# ---------------------------------------------------------------------------------------------------------------
# Tokens, stop words, HF messages
# ---------------------------------------------------------------------------------------------------------------


def special_tokens(template: ChatTemplate) -> list[str]:
    """The special-token strings the template writes; a tokenizer must know each as one token."""
    return list(template.special_tokens)


def stop_words(template: ChatTemplate) -> list[str]:
    """Strings that end generation (the end-of-turn token first)."""
    return list(template.stop_words)


def hf_messages(messages: Sequence[Message]) -> list[dict[str, Any]]:
    """Messages as the dicts `tokenizer.apply_chat_template` takes (OpenAI style: tool calls under `function`,
    reasoning as `reasoning_content`), for comparing with official templates and for saved tokenizers."""
    out = []
    for message in messages:
        item: dict[str, Any] = {"role": message.role, "content": message.content}
        if message.tool_calls:
            item["tool_calls"] = [
                {"type": "function", "function": {"name": call.name, "arguments": call.arguments},
                 **({"id": call.id} if call.id is not None else {})}
                for call in message.tool_calls]
        if message.reasoning is not None:
            item["reasoning_content"] = message.reasoning
        if message.name is not None:
            item["name"] = message.name
        if message.tool_call_id is not None:
            item["tool_call_id"] = message.tool_call_id
        out.append(item)
    return out


# ---------------------------------------------------------------------------------------------------------------
# Jinja export
# ---------------------------------------------------------------------------------------------------------------


def to_jinja(template: ChatTemplate) -> str:
    """A Jinja chat template (HF `apply_chat_template` conventions) that renders like `render_text`, and raises
    (`raise_exception`) for the conversations `render` rejects. Messages are the dicts of `hf_messages`.

    Special tokens are written as literal text, not through `bos_token`/`eos_token`, so the output does not depend
    on how a tokenizer's special tokens happen to be configured: it is exactly the text the model was trained on.
    """
    if template.renderer is not None:
        return template.jinja
    return _JinjaWriter(template).source()


def _literal(text: str) -> str:
    # JSON string syntax is valid Jinja string syntax (checked for quotes, backslashes, newlines, non-ASCII).
    return json.dumps(text, ensure_ascii=False)


def _expr(fmt: str, **exprs: str) -> str:
    """A Jinja expression for `_fill(fmt, ...)` with each placeholder bound to a Jinja expression."""
    parts, position = [], 0
    for match in _PLACEHOLDER.finditer(fmt):
        if match.start() > position:
            parts.append(_literal(fmt[position:match.start()]))
        parts.append(f"({exprs[match.group(1)]})")
        position = match.end()
    if position < len(fmt):
        parts.append(_literal(fmt[position:]))
    return " + ".join(parts) or "''"


class _JinjaWriter:
    """Writes the Jinja source for a data template; one statement per line, every tag whitespace-trimming."""

    def __init__(self, template: ChatTemplate) -> None:
        self.t = template
        self.lines: list[str] = []
        self.depth = 0

    def put(self, line: str) -> None:
        self.lines.append("    " * self.depth + line)

    def block(self, opening: str) -> None:
        self.put(opening)
        self.depth += 1

    def close(self, closing: str) -> None:
        self.depth -= 1
        self.put(closing)

    def out(self, expression: str) -> None:
        if expression != "''":
            self.put("{{- " + expression + " }}")

    def fail(self, message_expr: str) -> None:
        self.put("{{- raise_exception(" + message_expr + ") }}")

    def source(self) -> str:
        t = self.t
        name = t.name
        fix = "choose a template that supports them, or drop them from the record"
        self.put("{#- tuneforge chat template '" + name + "', generated by tuneforge.core.templates.to_jinja #}")
        self.block("{%- if not messages %}")
        self.fail(_literal("the conversation is empty: give at least one user message"))
        self.close("{%- endif %}")
        self.block("{%- if messages[0]['role'] == 'system' %}")
        system_expr = "messages[0]['content']" + (" | trim" if "system" in t.strip_content else "")
        self.put("{%- set system = " + system_expr + " %}")
        self.put("{%- set loop_messages = messages[1:] %}")
        if t.system is None and t.system_in_user is None:
            self.fail(_literal(f"chat template '{name}' has no system turn: drop the system message or choose a "
                               "template with one"))
        self.close("{%- else %}")
        self.depth += 1
        default = "none" if t.default_system is None else _literal(t.default_system)
        self.put("{%- set system = " + default + " %}")
        self.put("{%- set loop_messages = messages %}")
        self.close("{%- endif %}")
        self.block("{%- if not loop_messages %}")
        self.fail(_literal("the conversation has only a system message: give at least one user message"))
        self.close("{%- endif %}")
        self.block("{%- if tools %}")
        if t.tool_definitions is None:
            self.fail(_literal(f"chat template '{name}' cannot write tool definitions: {fix}"))
        else:
            tools_expr = _expr(t.tool_definitions, system="system or ''", tools="tools | map('tojson') | join('\\n')")
            self.put("{%- set system = " + tools_expr + " %}")
        self.close("{%- endif %}")
        self.out(_literal(t.prefix) if t.prefix else "''")
        if t.system is not None:
            self.block("{%- if system is not none %}")
            self.out(_expr(t.system, content="system"))
            self.close("{%- endif %}")
        # prev: the previous message's role, 'call' for an assistant message with tool calls.
        self.put("{%- set ns = namespace(prev=none, system=system) %}")
        self.put("{%- set offset = messages | length - loop_messages | length %}")
        self.block("{%- for message in loop_messages %}")
        self.put("{%- set where = 'message ' ~ (loop.index0 + offset) ~ ' (' ~ message['role'] ~ ')' %}")
        self.put("{%- set content = message['content'] or '' %}")
        self.put("{%- set calls = message['tool_calls'] or [] %}")
        self.put("{%- set reasoning = message['reasoning_content'] if message['reasoning_content'] is defined "
                 "else none %}")
        self.block("{%- if message['role'] != 'assistant' and (calls or reasoning is not none) %}")
        self.fail("where ~ ' carries tool calls or reasoning: only assistant messages can'")
        self.close("{%- endif %}")
        self._system_branch()
        self._user_branch()
        self._assistant_branch(fix)
        self._tool_branch(fix)
        self.close("{%- endif %}")
        self.put("{%- set ns.prev = 'call' if (message['role'] == 'assistant' and calls) else message['role'] %}")
        self.close("{%- endfor %}")
        self.block("{%- if add_generation_prompt %}")
        self.block("{%- if ns.prev in ['assistant', 'call'] %}")
        self.fail(_literal("add_generation_prompt is set but the conversation already ends with an assistant "
                           "message: drop the last answer to prompt for a new one"))
        self.close("{%- endif %}")
        self.out(_literal(t.assistant_prefix) if t.assistant_prefix else "''")
        self.close("{%- endif %}")
        return "\n".join(self.lines)

    def _system_branch(self) -> None:
        self.block("{%- if message['role'] == 'system' %}")
        self.fail("where ~ ': a system message must be the first message; move it to the front or merge it into "
                  "the first one'")
        self.depth -= 1

    def _user_branch(self) -> None:
        t = self.t
        self.block("{%- elif message['role'] == 'user' %}")
        self.block("{%- if ns.prev == 'call' %}")
        self.fail("where ~ ' follows an assistant tool call: the tool results (role `tool`) must come before the "
                  "next user message'")
        self.close("{%- elif ns.prev == 'user' %}")
        self.depth += 1
        self.fail("where ~ ' follows another user message: roles must alternate user/assistant; merge the "
                  "consecutive user messages or drop one'")
        self.close("{%- elif ns.prev == 'tool' %}")
        self.depth += 1
        self.fail("where ~ ' follows a tool result: an assistant message must answer the tool results first'")
        self.close("{%- endif %}")
        if t.system_in_user is not None:
            self.block("{%- if ns.system is not none %}")
            self.put("{%- set content = " + _expr(t.system_in_user, system="ns.system", content="content") + " %}")
            self.put("{%- set ns.system = none %}")
            self.close("{%- endif %}")
        if "user" in t.strip_content:
            self.put("{%- set content = content | trim %}")
        self.out(_expr(t.user, content="content"))
        self.depth -= 1

    def _assistant_branch(self, fix: str) -> None:
        t = self.t
        name = t.name
        self.block("{%- elif message['role'] == 'assistant' %}")
        self.block("{%- if ns.prev is none %}")
        self.fail("where ~ ': the conversation must start with a user message (after an optional system message), "
                  "not an assistant one'")
        self.close("{%- elif ns.prev in ['assistant', 'call'] %}")
        self.depth += 1
        self.fail("where ~ ' follows another assistant message: roles must alternate user/assistant; merge the "
                  "consecutive answers or drop one'")
        self.close("{%- endif %}")
        self.block("{%- if content | trim == '' and not calls and reasoning is none %}")
        self.fail("where ~ ' is empty: an answer needs content (or tool calls) to train on; fill it in or drop the "
                  "record'")
        self.close("{%- endif %}")
        if t.tool_call is None:
            self.block("{%- if calls %}")
            self.fail("where ~ " + _literal(f" has tool calls, which chat template '{name}' cannot write: {fix}"))
            self.close("{%- endif %}")
        if t.reasoning is None:
            self.block("{%- if reasoning is not none %}")
            self.fail("where ~ " + _literal(f" has a reasoning block, which chat template '{name}' cannot write: "
                                            "choose a reasoning template, or move the reasoning into the content"))
            self.close("{%- endif %}")
        if "assistant" in t.strip_content:
            self.put("{%- set content = content | trim %}")
        answer = "content"
        if t.tool_call is not None:
            # pieces: the content (if any) then each call, joined with tool_call_separator
            self.put("{%- set answer = namespace(text=content, pieces=1 if content else 0) %}")
            self.block("{%- for call in calls %}")
            self.put("{%- set function = call['function'] if call['function'] is defined else call %}")
            self.put("{%- set arguments = function['arguments'] if function['arguments'] is string "
                     "else function['arguments'] | tojson %}")
            separator = _literal(t.tool_call_separator)
            self.put("{%- set answer.text = answer.text + (" + separator + " if answer.pieces else '') + "
                     + _expr(t.tool_call, name="function['name']", arguments="arguments") + " %}")
            self.put("{%- set answer.pieces = answer.pieces + 1 %}")
            self.close("{%- endfor %}")
            answer = "answer.text"
        if t.reasoning is not None:
            answer = "(" + _expr(t.reasoning, reasoning="reasoning") + " + " + answer + ") if reasoning is not none " \
                     "else " + answer
        self.out(_literal(t.assistant_prefix) if t.assistant_prefix else "''")
        suffix = (" + " + _literal(t.assistant_suffix)) if t.assistant_suffix else ""
        self.out(_expr(t.assistant, content=answer) + suffix)
        self.out(_literal(t.assistant_separator) if t.assistant_separator else "''")
        self.depth -= 1

    def _tool_branch(self, fix: str) -> None:
        t = self.t
        self.block("{%- elif message['role'] == 'tool' %}")
        if t.tool is None:
            self.fail("where ~ " + _literal(f" is a tool result, which chat template '{t.name}' cannot write: {fix}"))
        else:
            self.block("{%- if ns.prev not in ['call', 'tool'] %}")
            self.fail("where ~ ' is a tool result without a preceding tool call: it must follow an assistant "
                      "message with tool_calls (or another tool result)'")
            self.close("{%- endif %}")
            if "tool" in t.strip_content:
                self.put("{%- set content = content | trim %}")
            if t.tool_results_prefix:
                self.block("{%- if ns.prev != 'tool' %}")
                self.out(_literal(t.tool_results_prefix))
                self.close("{%- endif %}")
            self.out(_expr(t.tool, content="content", name="message['name'] or ''"))
            if t.tool_results_suffix:
                self.block("{%- if loop.last or loop_messages[loop.index0 + 1]['role'] != 'tool' %}")
                self.out(_literal(t.tool_results_suffix))
                self.close("{%- endif %}")
        self.close("{%- else %}")
        self.depth += 1
        self.fail("where ~ ': unknown role; roles are system, user, assistant and tool'")
