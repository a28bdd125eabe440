"""What the engine asks its runner to do; the engine itself performs no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bots.prompts import Prompt


@dataclass(frozen=True)
class Reply:
    """Send a prompt to the citizen on the channel they wrote from."""

    prompt: Prompt


@dataclass(frozen=True)
class Call:
    """Invoke a service operation; its outcome comes back as a ServiceResult event."""

    op: str
    args: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SetLanguage:
    """Store the citizen's language on their contact (it follows them across channels)."""

    language: str


@dataclass(frozen=True)
class SetOptOut:
    """Record that the citizen stopped (or restarted) non-essential messages."""

    opted_out: bool


Action = Reply | Call | SetLanguage | SetOptOut
