"""What a campaign is: its purpose (which decides quiet hours) and the states it moves through.

```
draft ──submit──► awaiting_approval ──approve──► scheduled ──start──► running ⇄ paused
  └─────submit (at or under the threshold)────────►┘                   │
                                                        done ◄─────────┤ (nothing left)
   cancel: any state before done ─► cancelled      abort: running | paused ─► aborted
```
"""

from __future__ import annotations

from enum import StrEnum


class Purpose(StrEnum):
    """TRAI's categories of commercial communication, as far as a city sends them."""

    TRANSACTIONAL = "transactional"
    """A bill due, a receipt, a grievance update: any time of day."""
    SERVICE_EXPLICIT = "service_explicit"
    """A service message the citizen consented to: 10:00-21:00 IST only."""
    PROMOTIONAL = "promotional"
    """An announcement or camp: 10:00-21:00 IST only."""


class Status(StrEnum):
    """Where a campaign is in its life."""

    DRAFT = "draft"
    AWAITING_APPROVAL = "awaiting_approval"
    SCHEDULED = "scheduled"
    RUNNING = "running"
    PAUSED = "paused"
    DONE = "done"
    CANCELLED = "cancelled"
    ABORTED = "aborted"


FINAL = frozenset({Status.DONE, Status.CANCELLED, Status.ABORTED})
TRANSITIONS: dict[str, tuple[frozenset[Status], Status]] = {
    "submit": (frozenset({Status.DRAFT}), Status.SCHEDULED),
    "approve": (frozenset({Status.AWAITING_APPROVAL}), Status.SCHEDULED),
    "start": (frozenset({Status.SCHEDULED}), Status.RUNNING),
    "pause": (frozenset({Status.RUNNING}), Status.PAUSED),
    "resume": (frozenset({Status.PAUSED}), Status.RUNNING),
    "cancel": (frozenset({Status.DRAFT, Status.AWAITING_APPROVAL, Status.SCHEDULED,
                          Status.RUNNING, Status.PAUSED}), Status.CANCELLED),
    "abort": (frozenset({Status.RUNNING, Status.PAUSED}), Status.ABORTED),
}
"""Action → (states it is allowed from, state it leads to). `submit` above the threshold leads
to awaiting_approval instead (services.campaigns.control)."""


class CampaignError(Exception):
    """A refused campaign operation, with a stable code (API: 4xx; CLI: the code)."""

    def __init__(self, code: str, status: int = 409, detail: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.status = status
        self.detail = detail
