"""Global rate limits: one interface, a Redis-backed limiter across processes, in-process embedded.

`RateLimiter.acquire(key, limit)` takes one send from the bucket `key` (a provider account,
or an account and a recipient) and returns 0.0 when granted, else how many seconds to wait
before one is free (nothing is taken then). Delivery reschedules a throttled message for that
time without spending one of its attempts.
"""

from __future__ import annotations

from typing import Protocol

from channels.contract import RateLimit


class RateLimiter(Protocol):
    """Shared sending budgets, enforced across every worker and API process."""

    def acquire(self, key: str, limit: RateLimit, *, fail_open: bool = False) -> float:
        """Take one unit for `key`; 0.0 when granted, else seconds until one is free.

        When the shared store cannot be reached the answer is a wait (sends are held back),
        or 0.0 with `fail_open` (for checks where refusing would lose something).
        """


class Unlimited:
    """No limits (tests that are not about them)."""

    def acquire(self, key: str, limit: RateLimit, *, fail_open: bool = False) -> float:
        """Always granted."""
        return 0.0
