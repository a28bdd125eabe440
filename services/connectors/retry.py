"""Retrying platform calls: jittered exponential backoff, bounded, never for a refusal.

In a turn a call is tried a few times within a second or two (the citizen is waiting); the
sweepers use `delay` for the row's next attempt, up to ten minutes apart.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from services.connectors.errors import Unavailable

T = TypeVar("T")
CAP_SECONDS = 600.0


def delay(attempt: int, *, base: float = 1.0, cap: float = CAP_SECONDS,
          rng: random.Random | None = None) -> float:
    """Seconds before try `attempt + 1`: base·2^attempt capped, jittered to ½..1 of it
    ("equal jitter"), so that many clients retrying do not arrive together."""
    ceiling = min(cap, base * 2 ** max(0, attempt))
    return float(ceiling / 2 + (rng or random).uniform(0, ceiling / 2))


def next_attempt(now: datetime, attempts: int, rng: random.Random | None = None) -> datetime:
    """When a sweeper should try a row again after `attempts` failures."""
    return now + timedelta(seconds=delay(attempts, rng=rng))


@dataclass(frozen=True)
class Policy:
    """How often and how fast a call is retried in the caller's thread."""

    attempts: int = 3
    base: float = 0.2
    cap: float = 1.0


IN_TURN = Policy()
"""Inside a conversation turn: three tries within about a second and a half."""


def retrying(call: Callable[[], T], *, policy: Policy = IN_TURN,
             before_retry: Callable[[], T | None] | None = None,
             sleep: Callable[[float], None] = time.sleep,
             rng: random.Random | None = None) -> T:
    """`call()` until it answers, up to `policy.attempts` times while it is `Unavailable`;
    a `Refused` (or anything else) is raised at once. Before each retry `before_retry`
    may find that the first try got through after all (a timeout after the platform
    acted) and return its result instead of calling again."""
    for attempt in range(policy.attempts):
        if attempt and before_retry is not None:
            found = before_retry()
            if found is not None:
                return found
        try:
            return call()
        except Unavailable:
            if attempt + 1 >= policy.attempts:
                raise
            sleep(delay(attempt, base=policy.base, cap=policy.cap, rng=rng))
    raise Unavailable()  # pragma: no cover  (attempts >= 1)
