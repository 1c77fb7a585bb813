"""The standard record: what every dataset format produces and every chat template and stage consumes.

A record is one training example. Conversations are a tuple of `Message`; tool calls live on assistant messages and
tool results are messages with role `tool` (the OpenAI convention). Preference records add `chosen` / `rejected`
final assistant turns, KTO records add `kto_label`, pretraining records carry `text` instead of messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

ROLES = ("system", "user", "assistant", "tool")


@dataclass(frozen=True)
class ToolCall:
    """A call the assistant makes: the tool's name and its arguments as a JSON object (a dict)."""

    name: str
    arguments: dict = field(default_factory=dict)
    id: Optional[str] = None


@dataclass(frozen=True)
class Message:
    """One turn. `reasoning` is an assistant's thinking block; `name` is the tool's name on a tool result."""

    role: str
    content: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    reasoning: Optional[str] = None
    name: Optional[str] = None
    tool_call_id: Optional[str] = None

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}: expected one of {', '.join(ROLES)}")
        if not isinstance(self.content, str):
            raise ValueError(f"{self.role} content must be a string, got {type(self.content).__name__}")


@dataclass(frozen=True)
class Record:
    """One training example in the standard form.

    kind is derived: `text` (pretraining), `kto` (messages + label), `preference` (messages + chosen + rejected)
    or `conversation` (messages whose last turn is the assistant's answer).
    """

    messages: tuple[Message, ...] = ()
    tools: tuple[dict, ...] = ()
    chosen: Optional[Message] = None
    rejected: Optional[Message] = None
    kto_label: Optional[bool] = None
    text: Optional[str] = None
    images: tuple[str, ...] = ()
    videos: tuple[str, ...] = ()
    audios: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        if self.text is not None:
            return "text"
        if self.kto_label is not None:
            return "kto"
        if self.chosen is not None or self.rejected is not None:
            return "preference"
        return "conversation"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (for caches, previews and `--json` output)."""
        import dataclasses

        return dataclasses.asdict(self)
