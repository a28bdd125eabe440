"""The global rate limiter over the `limits` library: Redis across processes, memory embedded.

Strategy: **moving window** (`limits.MovingWindowRateLimiter`). Each bucket keeps the times of
its last `count` grants (a Redis list of at most `count` entries, updated by one Lua script,
so check-and-take is atomic across every worker and API process). A grant is refused exactly
when `count` grants fall inside the last `seconds`, and the wait it returns is exact: until the
oldest of them leaves the window (`get_window_stats().reset_time`). Provider limits are small
(1 per chat, 80 per number), so the lists stay short; an approximate counter would let bursts
past the provider, who answers them with 429s and longer penalties.

Redis keys are `ns:rl:<key>/<count>/<seconds>/second` (`key` as the caller gives it, never a
phone number: callers pass lookup hashes; see keys.py).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.errors import StorageError
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter

from channels.contract import RateLimit
from services.ratelimit import RateLimiter

log = logging.getLogger(__name__)

KEY_PREFIX = "ns:rl"
MIN_WAIT = 0.01
"""The least a refusal asks the caller to wait (the window's edge may be a moment away)."""


def window(limit: RateLimit) -> tuple[int, int]:
    """`limit` as whole seconds (what `limits` counts in) and the count allowed in them.

    A window is rounded up to whole seconds and its count scaled down with it, so the rate
    is never exceeded: 1 per 0.5 s becomes 2 per second; 3 per 2.5 s becomes 3 per 3 s.
    """
    if limit.count < 1 or limit.seconds <= 0:
        raise ValueError("a rate limit needs a count ≥ 1 and a positive window")
    seconds = max(1, math.ceil(limit.seconds - 1e-9))
    count = max(1, math.floor(limit.count * seconds / limit.seconds + 1e-9))
    return count, seconds


@dataclass
class LimitsRateLimiter(RateLimiter):
    """`RateLimiter` over a `limits` storage (RedisStorage shared, MemoryStorage in-process)."""

    storage: Storage
    clock: Callable[[], float] = time.time
    """The clock `limits` stamps entries with (its own: `time.time`)."""

    def __post_init__(self) -> None:
        self.strategy = MovingWindowRateLimiter(self.storage)

    @staticmethod
    def item(key: str, limit: RateLimit) -> RateLimitItem:
        """The `limits` item for a bucket; the key is its namespace, so it is the Redis key."""
        count, seconds = window(limit)
        return RateLimitItemPerSecond(count, seconds, namespace=key)

    def acquire(self, key: str, limit: RateLimit, *, fail_open: bool = False) -> float:
        """Take one unit for `key`; 0.0 when granted, else seconds until one is free.

        When the store cannot be reached the answer is a full window's wait, so sends are held
        back (and rescheduled) rather than let past the provider's limit unchecked; with
        `fail_open` it is 0.0 (inbound limits must not drop a citizen's message in an outage).
        """
        item = self.item(key, limit)
        try:
            for _ in range(2):  # a refusal right at the window's edge is tried once more
                if self.strategy.hit(item):
                    return 0.0
                reset = self.strategy.get_window_stats(item).reset_time
                wait = reset - self.clock()
                if wait > 0:
                    return min(max(wait, MIN_WAIT), float(item.get_expiry()))
        except StorageError as exc:
            log.warning("rate limit store unavailable (%s); %s",
                        type(exc.storage_error).__name__,
                        "letting it through" if fail_open else "holding sends back")
            return 0.0 if fail_open else float(item.get_expiry())
        return MIN_WAIT


def redis_storage(redis_url: str) -> RedisStorage:
    """A `limits` RedisStorage for a redis URL (`redis://host:port/db`, `rediss://…`)."""
    return RedisStorage(redis_url, key_prefix=KEY_PREFIX, wrap_exceptions=True,
                        socket_connect_timeout=2, socket_timeout=2)


def make_limiter(redis_url: str | None) -> RateLimiter:
    """The process's limiter: shared buckets in Redis when configured, else in memory."""
    if redis_url:
        return LimitsRateLimiter(redis_storage(redis_url))
    return LimitsRateLimiter(MemoryStorage(wrap_exceptions=True))
