"""How long a failed or throttled delivery waits: jittered backoff, or the provider's word.

Full jitter over a growing ceiling (1 s, then up to 2, 4, 8 … seconds, capped at ten minutes)
spreads the retries of many messages that failed together (a provider outage), so they do not
all come back in the same second. The random source is injected so tests can pin it.
"""

from __future__ import annotations

import random
from typing import Protocol

BASE_SECONDS = 1.0
"""The shortest wait before a retry."""
CAP_SECONDS = 600.0
"""The longest wait the backoff itself chooses (a provider's Retry-After may ask for more)."""


class Uniform(Protocol):
    """A random source: `random.Random` and `random.SystemRandom` are ones."""

    def uniform(self, a: float, b: float) -> float:
        """A number between a and b."""


SYSTEM_RANDOM: Uniform = random.SystemRandom()
"""The default random source (no seed to share between worker processes)."""


def ceiling(attempts: int) -> float:
    """The longest backoff after `attempts` attempts: 2 ** attempts, within [base, cap]."""
    return max(BASE_SECONDS, min(CAP_SECONDS, 2.0 ** min(attempts, 32)))


def backoff(attempts: int, rng: Uniform = SYSTEM_RANDOM) -> float:
    """Seconds to wait before attempt `attempts + 1`: random between the base and the ceiling."""
    return rng.uniform(BASE_SECONDS, ceiling(attempts))


def retry_delay(retry_after: float | None, attempts: int, rng: Uniform = SYSTEM_RANDOM) -> float:
    """The provider's Retry-After when it gave one (never negative), else jittered backoff."""
    if retry_after is not None:
        return max(0.0, retry_after)
    return backoff(attempts, rng)
