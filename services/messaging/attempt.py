"""What one delivery attempt can come to, and the limits that decide it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

Clock = Callable[[], datetime]
"""The current time, timezone-aware (injected so tests control time)."""


class Outcome(StrEnum):
    """What one delivery attempt came to; every claimed attempt ends in one of the first four."""

    SENT = "sent"
    RETRY = "retry"
    """A retryable error: pending again after a backoff, one attempt used."""
    THROTTLED = "throttled"
    """The provider or our limiter said wait: pending again, no attempt used."""
    FAILED = "failed"
    SKIPPED = "skipped"
    """Not claimed (another worker has it, or it is done), or the claim was lost meanwhile."""


class Code:
    """Failure and wait codes delivery itself records (send errors bring their own)."""

    INTERNAL_ERROR = "internal_error"
    """The adapter (or building the message) raised something outside the closed error set."""
    ATTEMPTS_EXHAUSTED = "attempts_exhausted"
    """Claimed max_attempts times without a result (its workers died in flight)."""
    THROTTLED_TOO_LONG = "throttled_too_long"
    """Still throttled when the throttle deadline since queueing had passed."""
    RATE_LIMITED = "rate_limited"
    """Our global rate limiter asked to wait."""
    LIMITER_UNAVAILABLE = "rate_limiter_unavailable"
    """The limiter could not answer (Redis down): wait and ask again, never send unmetered."""
    SPEND_CAP = "spend_cap_reached"
    """The city's daily spend cap would be passed: wait (no attempt used) for a new day or a
    higher cap."""


@dataclass(frozen=True)
class DeliveryConfig:
    """Retry, in-flight and throttle limits, and the public URL for status callbacks."""

    base_url: str
    max_attempts: int = 8
    inflight_seconds: int = 120
    throttle_deadline_seconds: int = 24 * 3600
    """A row still throttled this long after it was queued fails (`throttled_too_long`):
    throttles use no attempt, so this is what ends a throttle that never lifts."""
    prices: Mapping[str, int] = field(default_factory=dict)
    """Paise per send by channel type (services.messaging.prices); absent types are free."""
    daily_cap_paise: int = 5_000_000
    """The deployment's default daily spend cap per city."""
    cap_recheck_seconds: float = 300.0
    """How soon a send held by the spend cap asks again (a raised cap lets it go)."""
