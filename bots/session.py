"""Conversation state: where in which flow a citizen is, and what they answered so far."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Session:
    """JSON-serialisable state of one conversation (kept in Redis or the embedded store)."""

    flow: str | None = None
    step: int = 0
    slots: dict[str, Any] = field(default_factory=dict)
    retries: int = 0
    page: int = 0
    waiting: str | None = None
    given: list[str] = field(default_factory=list)
    """Questions answered before the flow asked them (a complaint typed at the menu): skipped."""
    changing: bool = False
    """At a confirmation, asking which answer to change."""
    back_to: int | None = None
    """While one answer is changed: the confirmation step to return to."""

    def to_dict(self) -> dict[str, Any]:
        """Plain data for storage."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Session:
        """Rebuild from stored data, ignoring unknown keys from older versions."""
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def at(self, flow: str, step: int = 0) -> Session:
        """A fresh position at the start of a step, keeping nothing else."""
        return Session(flow=flow, step=step)
