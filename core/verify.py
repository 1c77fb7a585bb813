"""Compare a chat template with a model's official Jinja chat template (`tune templates verify`).

A built-in suite of conversations (single and multi turn, with and without system, tool definitions, calls and
results, reasoning, generation prompts) is rendered by the tuneforge engine and by the official template through
transformers' `apply_chat_template`; text and token ids must be identical. What the official template refuses is
skipped, never counted as a pass; what the official template writes but the engine refuses is a failure.

Only the standard library and `tuneforge.core` are imported here; the tokenizer is whatever object the caller passes.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, Callable, Mapping, Optional, Sequence, Union

from tuneforge.core.errors import TemplateError
from tuneforge.core.records import Message, ToolCall
from tuneforge.core.templates import ChatTemplate, encode, hf_messages, render_text

# ---------------------------------------------------------------------------------------------------------------
# The conversation suite
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Conversation:
    """One conversation of the suite. Conversations ending with a user or tool message are rendered with the
    generation prompt (what inference sends); those ending with an answer without it (what training encodes)."""

    name: str
    messages: tuple[Message, ...]
    tools: tuple[dict, ...] = ()
    description: str = ""

    @property
    def add_generation_prompt(self) -> bool:
        return self.messages[-1].role != "assistant"


def _s(text: str) -> Message:
    return Message("system", text)


def _u(text: str) -> Message:
    return Message("user", text)


def _a(text: str = "", **fields: Any) -> Message:
    return Message("assistant", text, **fields)


def _tool(function: str, description: str) -> dict:
    return {"type": "function", "function": {
        "name": function, "description": description,
        "parameters": {"type": "object", "properties": {"city": {"type": "string", "description": "City name"}},
                       "required": ["city"]}}}


WEATHER_TOOL = _tool("get_weather", "Current weather in a city, in °C")
TIME_TOOL = _tool("get_local_time", "Current local time in a city")
# Ids of nine letters and digits: Mistral's templates refuse any other shape.
WEATHER_CALL = ToolCall("get_weather", {"city": "Paris"}, id="call12345")
TIME_CALL = ToolCall("get_local_time", {"city": "Paris"}, id="call67890")
WEATHER_RESULT = Message("tool", '{"temperature": 21, "sky": "clear"}', name="get_weather", tool_call_id="call12345")
TIME_RESULT = Message("tool", '{"time": "14:05"}', name="get_local_time", tool_call_id="call67890")

# Every content is distinctive text, so that "is this message written at all" can be answered by a substring test.
SUITE: tuple[Conversation, ...] = (
    Conversation("single-turn", (_u("What is the capital of France?"), _a("The capital of France is Paris.")),
                 description="one question, one answer"),
    Conversation("system", (_s("You are a concise geography assistant."), _u("What is the capital of Japan?"),
                            _a("Tokyo.")), description="a system prompt, one exchange"),
    Conversation("multi-turn", (_u("Hi there!"), _a("Hello! How can I help you today?"), _u("Name a primary colour."),
                                _a("Blue is a primary colour."), _u("Name another one."), _a("Red is another.")),
                 description="three exchanges, no system prompt"),
    Conversation("multi-turn-system", (_s("Always answer in French."), _u("Good morning"), _a("Bonjour"),
                                       _u("Thank you very much"), _a("Merci beaucoup")),
                 description="a system prompt, two exchanges"),
    Conversation("whitespace", (_s("  Answer in one line. \n"), _u("\n  What is 2 + 2?  \n"), _a("  2 + 2 = 4.\n\n"),
                                _u(" And 3 + 3? "), _a("\t3 + 3 = 6.\t")),
                 description="leading and trailing whitespace everywhere (templates that trim must trim alike)"),
    Conversation("special-characters", (_u('Quote "this", keep {content} and {{ braces }} {% raw %} as text'),
                                        _a("Unicode é ü 日本語 😀\nsecond line\twith a tab and a \\ backslash")),
                 description="quotes, braces, Jinja-like text, non-ASCII, newlines and tabs in content"),
    Conversation("generation-prompt", (_u("Name a planet of the solar system."),),
                 description="a first question, with the generation prompt"),
    Conversation("generation-prompt-history", (_s("Be kind and brief."), _u("Hello"), _a("Hello! Nice to meet you."),
                                               _u("How are you today?")),
                 description="history, then a new question with the generation prompt"),
    Conversation("tool-definitions", (_s("You can look up the weather."), _u("What can you do for me?"),
                                      _a("I can tell you the current weather in any city.")),
                 (WEATHER_TOOL, TIME_TOOL), description="tool definitions given, no call made"),
    Conversation("tool-call", (_u("What is the weather in Paris?"), _a("", tool_calls=(WEATHER_CALL,)),
                               WEATHER_RESULT, _a("It is 21 °C and clear in Paris.")), (WEATHER_TOOL,),
                 description="one tool call, its result, the final answer"),
    Conversation("tool-call-system", (_s("Use the tools when they help."), _u("Weather in Paris, please."),
                                      _a("", tool_calls=(WEATHER_CALL,)), WEATHER_RESULT,
                                      _a("Paris: 21 °C, clear sky.")), (WEATHER_TOOL, TIME_TOOL),
                 description="a system prompt with tools, one call, its result, the answer"),
    Conversation("tool-call-with-text", (_u("How warm is it in Paris?"),
                                         _a("Let me check the weather for you.", tool_calls=(WEATHER_CALL,)),
                                         WEATHER_RESULT, _a("It is 21 °C in Paris.")), (WEATHER_TOOL,),
                 description="an answer with text beside its tool call"),
    Conversation("parallel-tool-calls", (_u("Weather and local time in Paris?"),
                                         _a("", tool_calls=(WEATHER_CALL, TIME_CALL)), WEATHER_RESULT, TIME_RESULT,
                                         _a("21 °C and clear; it is 14:05 in Paris.")), (WEATHER_TOOL, TIME_TOOL),
                 description="two calls in one answer, two results"),
    Conversation("tool-result-prompt", (_u("Is it sunny in Paris?"), _a("", tool_calls=(WEATHER_CALL,)),
                                        WEATHER_RESULT), (WEATHER_TOOL,),
                 description="a tool result, then the generation prompt"),
    Conversation("tools-prompt", (_u("Check the weather in Paris for me."),), (WEATHER_TOOL,),
                 description="tool definitions and a question, with the generation prompt"),
    Conversation("reasoning", (_u("What is 17 times 3?"),
                               _a("17 × 3 = 51.", reasoning="17 times 3 is 51, since 17 × 3 = 30 + 21.")),
                 description="an answer with a reasoning block"),
    Conversation("reasoning-system", (_s("Think before answering."), _u("Is 91 a prime number?"),
                                      _a("No: 91 = 7 × 13.", reasoning="Check small divisors: 91 / 7 = 13.")),
                 description="a system prompt and an answer with reasoning"),
    Conversation("reasoning-multi-turn", (_u("What is 6 times 7?"), _a("42.", reasoning="6 × 7 is 42."),
                                          _u("And 6 times 8?"), _a("48.", reasoning="6 × 8 is 42 + 6 = 48.")),
                 description="two answers with reasoning (templates that drop past reasoning differ here)"),
    Conversation("reasoning-tool-call", (_u("Should I take an umbrella in Paris?"),
                                         _a("", tool_calls=(WEATHER_CALL,), reasoning="I need the Paris weather."),
                                         WEATHER_RESULT, _a("No umbrella needed: the sky is clear.")),
                 (WEATHER_TOOL,), description="reasoning before a tool call"),
)


# ---------------------------------------------------------------------------------------------------------------
# Official templates
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """An official chat template and the bos / eos strings its `bos_token` / `eos_token` variables hold (None:
    not recorded; the tokenizer's own are used then)."""

    chat_template: str
    bos_token: Optional[str] = None
    eos_token: Optional[str] = None
    source: str = ""


def load_reference(path: Union[str, os.PathLike]) -> Reference:
    """The official template in a `tokenizer_config.json`, a `.jinja` file, or a model folder holding either.

    A config's `chat_template` may be a list of named templates (Cohere's default / tool_use / rag): the one named
    `default` is used. A config without one falls back to the `chat_template.jinja` beside it (how transformers 5
    saves tokenizers). bos / eos come from the config beside the template when there is one.
    """
    path = Path(path)
    if path.is_dir():
        candidates = [path / "tokenizer_config.json", path / "chat_template.jinja"]
        found = [p for p in candidates if p.is_file()]
        if not found:
            raise TemplateError(f"{path} holds neither tokenizer_config.json nor chat_template.jinja: give the file "
                                "that holds the official chat template")
        path = found[0]
    if not path.is_file():
        raise TemplateError(f"reference {path} does not exist: give a tokenizer_config.json or a .jinja file")
    config_path = path if path.suffix == ".json" else path.parent / "tokenizer_config.json"
    config: dict = {}
    if config_path.is_file():
        try:
            config = json.loads(config_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as err:
            raise TemplateError(f"{config_path} is not valid JSON: {err.msg} (line {err.lineno})") from None
    if path.suffix == ".json":
        template = config.get("chat_template")
        jinja_beside = path.parent / "chat_template.jinja"
        if template is None and jinja_beside.is_file():
            path, template = jinja_beside, jinja_beside.read_text(encoding="utf-8")
        template = _default_template(template, path)
    else:
        template = path.read_text(encoding="utf-8")
    if not template.strip():
        raise TemplateError(f"the chat template in {path} is empty")
    return Reference(template, _token_text(config.get("bos_token")), _token_text(config.get("eos_token")), str(path))


def _default_template(template: Any, path: Path) -> str:
    if isinstance(template, list):
        named = {item.get("name"): item.get("template") for item in template if isinstance(item, dict)}
        if "default" not in named:
            raise TemplateError(f"{path} has several chat templates ({', '.join(map(str, named))}) and none named "
                                "`default`: save the one to compare with as a .jinja file and pass that")
        template = named["default"]
    if not isinstance(template, str):
        raise TemplateError(f"{path} has no `chat_template`: give the tokenizer_config.json of a chat model, or a "
                            ".jinja file")
    return template


def _token_text(value: Any) -> Optional[str]:
    # A token in a config is a string or an AddedToken dict ({"content": "<s>", ...}).
    if isinstance(value, dict):
        value = value.get("content")
    return value if isinstance(value, str) else None


# ---------------------------------------------------------------------------------------------------------------
# Tokenizers
# ---------------------------------------------------------------------------------------------------------------


def missing_tokens(tokenizer: Any, tokens: Sequence[str]) -> list[str]:
    """The strings of `tokens` the tokenizer does not encode as exactly one token."""
    tokens = [t for t in dict.fromkeys(tokens) if t]
    if not tokens:
        return []
    pieces = tokenizer(tokens, add_special_tokens=False)["input_ids"]
    return [token for token, ids in zip(tokens, pieces) if len(ids) != 1]


def add_special_tokens(tokenizer: Any, template: ChatTemplate, reference: Optional[Reference] = None) -> list[str]:
    """Add the template's special tokens, and the reference's bos / eos, that the tokenizer lacks; return them.

    For comparing with a tokenizer that is not the model's own (a test tokenizer, another family's): both sides
    then split the text into the same single special tokens the model's tokenizer would.
    """
    wanted = list(template.special_tokens)
    if reference is not None:
        wanted += [t for t in (reference.bos_token, reference.eos_token) if t]
    missing = missing_tokens(tokenizer, wanted)
    if missing:
        tokenizer.add_special_tokens({"additional_special_tokens": missing}, replace_extra_special_tokens=False)
    return missing


# ---------------------------------------------------------------------------------------------------------------
# Verification
# ---------------------------------------------------------------------------------------------------------------

MATCH = "match"  # both rendered it; text and ids identical
MISMATCH = "mismatch"  # both rendered it; they differ
UNSUPPORTED = "unsupported"  # the official template writes it, the engine refuses it: a failure
SKIPPED = "skipped"  # the official template refuses it, or drops part of it that the engine refuses to drop
FAILED = (MISMATCH, UNSUPPORTED)


@dataclass(frozen=True)
class Difference:
    """Where two renderings first differ: `index` (character or token), the common `context` before it, and what
    each side has from there on (a short excerpt; for ids, tokens shown as `'piece'(id)`)."""

    index: int
    context: str
    ours: str
    official: str


@dataclass(frozen=True)
class Result:
    """The outcome for one conversation. reason: why it was skipped or refused; text / ids: the first difference
    (None when identical or not compared); tokens: the official token count when compared."""

    conversation: str
    status: str
    reason: str = ""
    text: Optional[Difference] = None
    ids: Optional[Difference] = None
    tokens: Optional[int] = None


@dataclass(frozen=True)
class VerifyReport:
    """The results of `verify`, one per conversation, and notes on how the reference was rendered (a date pinned, a
    bos / eos taken from the tokenizer). `ok` is the verdict; `to_dict` is the `--json` output."""

    template: str
    reference: str
    results: tuple[Result, ...]
    notes: tuple[str, ...] = ()

    @property
    def compared(self) -> int:
        """Conversations the official template rendered in full, so the template was checked against it."""
        return sum(r.status != SKIPPED for r in self.results)

    @property
    def skipped(self) -> int:
        return sum(r.status == SKIPPED for r in self.results)

    @property
    def failures(self) -> list[Result]:
        return [r for r in self.results if r.status in FAILED]

    @property
    def ok(self) -> bool:
        """Every compared conversation matched, and at least one was compared (all skipped proves nothing)."""
        return not self.failures and self.compared > 0

    @property
    def status(self) -> str:
        if self.failures:
            return "failed"
        return "exact" if self.compared else "nothing compared"

    def to_dict(self) -> dict[str, Any]:
        return {"template": self.template, "reference": self.reference, "status": self.status, "ok": self.ok,
                "compared": self.compared, "skipped": self.skipped, "failed": len(self.failures),
                "notes": list(self.notes), "results": [asdict(r) for r in self.results]}


def verify(template: ChatTemplate, reference: Union[Reference, str], tokenizer: Any, *,
           conversations: Sequence[Conversation] = SUITE, variables: Optional[Mapping[str, Any]] = None,
           today: Optional[date] = None) -> VerifyReport:
    """Render each conversation with `template` and with the official `reference` (a Reference, or Jinja source)
    through `tokenizer.apply_chat_template`, and compare text and token ids.

    variables: extra template variables for the official template (`date_string`, `enable_thinking` ...), as
    `apply_chat_template(**kwargs)` takes them. today: the date the official template's `strftime_now("...")` calls
    give (gpt-oss dates its system message with no variable to set it), for plugins that pin a date so that training
    text does not change from day to day. The tokenizer must already know the template's special tokens (see
    `add_special_tokens`); TemplateError says which it lacks.
    """
    if isinstance(reference, str):
        reference = Reference(reference, source="<jinja>")
    notes = []
    if today is not None:
        pinned, count = pin_today(reference.chat_template, today)
        if count:
            reference = replace(reference, chat_template=pinned)
            notes.append(f"strftime_now() in the reference pinned to {today.isoformat()} ({count} calls)")
    missing = missing_tokens(tokenizer, template.special_tokens)
    if missing:
        raise TemplateError(f"the tokenizer does not know {', '.join(missing)} (written by chat template "
                            f"'{template.name}') as single tokens: add them first "
                            "(tuneforge.core.verify.add_special_tokens), or pass the model's own tokenizer")
    kwargs = dict(variables or {})
    for key in ("bos_token", "eos_token"):
        value = kwargs.get(key, getattr(reference, key))
        if value is not None:
            kwargs[key] = value
        elif key in reference.chat_template:
            notes.append(f"the reference does not record its {key}; the tokenizer's "
                         f"({getattr(tokenizer, key, None)!r}) was used")
    results = tuple(_verify_one(template, reference.chat_template, tokenizer, conversation, kwargs)
                    for conversation in conversations)
    return VerifyReport(template.name, reference.source, results, tuple(notes))


# `strftime_now("%d %b %Y")` with a literal format: the only form official templates use.
_STRFTIME_NOW = re.compile(r"""strftime_now\(\s*(["'])([^"']*)\1\s*\)""")


def pin_today(source: str, today: date) -> tuple[str, int]:
    """The template with each `strftime_now("FORMAT")` call replaced by `today` in that format (a string literal),
    and the number of calls replaced. transformers gives templates `strftime_now` as a global, which template
    variables cannot override."""
    return _STRFTIME_NOW.subn(lambda match: json.dumps(today.strftime(match.group(2))), source)


def _verify_one(template: ChatTemplate, official_template: str, tokenizer: Any, conversation: Conversation,
                kwargs: dict[str, Any]) -> Result:
    name, messages, tools = conversation.name, conversation.messages, conversation.tools
    prompt = conversation.add_generation_prompt

    def official_text(conversation: Conversation) -> str:
        return tokenizer.apply_chat_template(hf_messages(conversation.messages), tools=list(tools) or None,
                                             chat_template=official_template, tokenize=False,
                                             add_generation_prompt=prompt, **kwargs)

    try:
        official = official_text(conversation)
    except Exception as exc:  # raise_exception, or the template failing on input it does not expect
        return Result(name, SKIPPED, f"the official template refuses it: {type(exc).__name__}: {exc}")
    try:
        ours = render_text(template, messages, tools, add_generation_prompt=prompt)
    except TemplateError as exc:
        dropped = dropped_parts(conversation, official, official_text)
        if dropped:
            return Result(name, SKIPPED, f"the official template drops {dropped}; tuneforge refuses it")
        return Result(name, UNSUPPORTED, f"the official template writes it, tuneforge refuses it: {exc}")
    official_ids = list(tokenizer(official, add_special_tokens=False)["input_ids"])
    if prompt:
        our_ids = list(tokenizer(ours, add_special_tokens=False)["input_ids"])
    else:  # the ids training uses
        our_ids = encode(template, tokenizer, messages, tools).input_ids
    text = _first_difference(ours, official)
    ids = _first_id_difference(tokenizer, our_ids, official_ids)
    if text is None and ids is None:
        return Result(name, MATCH, tokens=len(official_ids))
    return Result(name, MISMATCH, "text differs" if text else "same text, different token ids", text, ids,
                  len(official_ids))


def dropped_parts(conversation: Conversation, rendered: str,
                  render: Optional[Callable[[Conversation], str]] = None) -> str:
    """What of the conversation does not appear in `rendered` ("" when everything does): tool definitions, tool
    calls, reasoning, or a message's content. Content also counts as written when it appears JSON-quoted (Llama 3.1
    writes tool results that way).

    A call's name also appears in the tool definitions, so with `render` (the official template, rendering a variant
    of the conversation) each call is renamed to a probe name that appears nowhere else, and is dropped when the
    probe is not written. Without `render`, or when the variant fails to render, a call counts as written when its
    name appears anywhere: a doubtful case is reported as unsupported (a failure someone reads), never skipped.
    """

    def written(text: str, where: str = rendered) -> bool:
        text = text.strip()
        return not text or text in where or json.dumps(text, ensure_ascii=False)[1:-1] in where

    def call_written(i: int, k: int, call: ToolCall) -> bool:
        if render is None:
            return written(call.name)
        probe = f"tuneforge_probe_{i}_{k}"
        calls = tuple(replace(c, name=probe) if j == k else c
                      for j, c in enumerate(conversation.messages[i].tool_calls))
        messages = tuple(replace(m, tool_calls=calls) if j == i else m for j, m in enumerate(conversation.messages))
        try:
            return written(probe, render(replace(conversation, messages=messages)))
        except Exception:  # the template refuses a call to an undefined tool: keep the doubtful answer, "written"
            return written(call.name)

    dropped = []
    names = [tool.get("function", tool).get("name", "") for tool in conversation.tools]
    if not all(written(str(name)) for name in names):
        dropped.append("the tool definitions")
    for i, message in enumerate(conversation.messages):
        where = f"message {i} ({message.role})"
        if not written(message.content):
            dropped.append(f"the content of {where}")
        if message.reasoning is not None and not written(message.reasoning):
            dropped.append(f"the reasoning of {where}")
        if not all(call_written(i, k, call) for k, call in enumerate(message.tool_calls)):
            dropped.append(f"the tool calls of {where}")
    return ", ".join(dropped)


CONTEXT = 40  # characters (or 8 tokens) of common text shown before a difference


def _first_difference(ours: str, official: str) -> Optional[Difference]:
    if ours == official:
        return None
    index = next((i for i, (a, b) in enumerate(zip(ours, official)) if a != b), min(len(ours), len(official)))
    return Difference(index, ours[max(0, index - CONTEXT):index], ours[index:index + CONTEXT],
                      official[index:index + CONTEXT])


def _first_id_difference(tokenizer: Any, ours: list[int], official: list[int]) -> Optional[Difference]:
    if ours == official:
        return None
    index = next((i for i, (a, b) in enumerate(zip(ours, official)) if a != b), min(len(ours), len(official)))

    def shown(ids: list[int]) -> str:
        return " ".join(f"{piece!r}({i})" for piece, i in zip(tokenizer.convert_ids_to_tokens(ids), ids))

    return Difference(index, shown(ours[max(0, index - 8):index]), shown(ours[index:index + 8]),
                      shown(official[index:index + 8]))
