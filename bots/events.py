"""What the engine reacts to: citizen input and the results of service calls."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class UserInput:
    """Something the citizen sent: text, a pressed option's id, a location."""

    text: str = ""
    payload: str | None = None
    location: tuple[float, float] | None = None
    media: tuple[str, ...] = ()


@dataclass(frozen=True)
class ServiceResult:
    """The outcome of a Call: data on success, an error code otherwise."""

    op: str
    data: Mapping[str, Any] = field(default_factory=dict)
    error: str | None = None


Event = UserInput | ServiceResult
