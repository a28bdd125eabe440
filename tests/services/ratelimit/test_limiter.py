"""The global rate limiter in memory (the embedded default): grants, refusals, waits, windows."""

from __future__ import annotations

import threading
import time

import pytest
from limits.storage import MemoryStorage, RedisStorage

from channels.contract import RateLimit
from services.ratelimit import RateLimiter, Unlimited
from services.ratelimit.keys import account_key, recipient_key
from services.ratelimit.limiter import LimitsRateLimiter, make_limiter, redis_storage, window
from tests.support.sim_server import closed_port

HASH = "9f2c" * 16  # a lookup hash (64 hex digits)


def limiter() -> LimitsRateLimiter:
    """A fresh in-memory limiter."""
    made = make_limiter(None)
    assert isinstance(made, LimitsRateLimiter) and isinstance(made.storage, MemoryStorage)
    return made


def test_count_grants_then_a_refusal_with_the_wait() -> None:
    """Three a second: three grants, then a refusal naming a wait within the window."""
    rl, limit = limiter(), RateLimit(3, 1.0)
    start = time.time()
    assert [rl.acquire("acct:a", limit) for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = rl.acquire("acct:a", limit)
    assert 0.0 < wait <= 1.0
    assert wait == pytest.approx(1.0 - (time.time() - start), abs=0.1)


def test_a_refusal_takes_nothing() -> None:
    """Refused attempts do not push the bucket's recovery further away."""
    rl, limit = limiter(), RateLimit(1, 1.0)
    assert rl.acquire("acct:a", limit) == 0.0
    waits = [rl.acquire("acct:a", limit) for _ in range(20)]
    assert all(0.0 < w <= 1.0 for w in waits)
    assert waits[-1] <= waits[0]  # later refusals wait less, not more
    time.sleep(waits[-1] + 0.05)
    assert rl.acquire("acct:a", limit) == 0.0  # the refusals spent nothing


def test_keys_are_independent() -> None:
    """One account's (or recipient's) spent budget does not hold back another."""
    rl, limit = limiter(), RateLimit(1, 6.0)
    assert rl.acquire(recipient_key("acct1", HASH), limit) == 0.0
    assert rl.acquire(recipient_key("acct1", HASH), limit) > 0.0
    assert rl.acquire(recipient_key("acct1", "ab" * 32), limit) == 0.0
    assert rl.acquire(recipient_key("acct2", HASH), limit) == 0.0
    assert rl.acquire(account_key("acct1"), limit) == 0.0


def test_the_bucket_recovers_after_the_window() -> None:
    """Once the wait has passed, a send is granted again."""
    rl, limit = limiter(), RateLimit(2, 1.0)
    rl.acquire("acct:r", limit)
    rl.acquire("acct:r", limit)
    wait = rl.acquire("acct:r", limit)
    assert wait > 0
    time.sleep(wait + 0.05)
    assert rl.acquire("acct:r", limit) == 0.0


def test_threads_never_get_more_than_the_count() -> None:
    """Sixteen threads at once on a bucket of five: exactly five are granted."""
    rl, limit = limiter(), RateLimit(5, 30.0)
    results: list[float] = []
    barrier = threading.Barrier(16)

    def take() -> None:
        """Try once."""
        barrier.wait()
        results.append(rl.acquire("acct:t", limit))

    threads = [threading.Thread(target=take) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(0.0) == 5 and all(0 < w <= 30 for w in results if w)


WINDOWS = {  # RateLimit -> (count, whole seconds) as limits counts them; never faster
    "per_second": (RateLimit(30), (30, 1)),
    "six_seconds": (RateLimit(1, 6.0), (1, 6)),
    "per_minute": (RateLimit(10, 60.0), (10, 60)),
    "half_second": (RateLimit(1, 0.5), (2, 1)),
    "fractional": (RateLimit(3, 2.5), (3, 3)),
    "slow": (RateLimit(1, 2.5), (1, 3)),
}


@pytest.mark.parametrize(("limit", "expected"), WINDOWS.values(), ids=list(WINDOWS))
def test_windows_in_whole_seconds(limit: RateLimit, expected: tuple[int, int]) -> None:
    """A window is rounded up to whole seconds and its count scaled so the rate holds."""
    count, seconds = window(limit)
    assert (count, seconds) == expected
    assert count / seconds <= limit.count / limit.seconds + 1e-9


@pytest.mark.parametrize("limit", [RateLimit(0), RateLimit(1, 0.0), RateLimit(1, -1.0)])
def test_nonsense_limits_are_refused(limit: RateLimit) -> None:
    """A zero count or window is a programming error, not a silent 'unlimited'."""
    with pytest.raises(ValueError):
        window(limit)


def test_an_unreachable_store_holds_sends_back() -> None:
    """Redis down: every acquire is refused for a whole window (sends wait, none is lost)."""
    rl = LimitsRateLimiter(redis_storage(closed_port().replace("http", "redis") + "/0"))
    assert rl.acquire("acct:down", RateLimit(5, 2.0)) == 2.0


def test_the_factory_picks_the_store() -> None:
    """A redis URL gives shared Redis buckets; none gives in-process ones."""
    shared = make_limiter("redis://127.0.0.1:6379/4")
    assert isinstance(shared, LimitsRateLimiter) and isinstance(shared.storage, RedisStorage)
    assert isinstance(make_limiter(None), LimitsRateLimiter)
    unlimited: RateLimiter = Unlimited()
    assert unlimited.acquire("acct:x", RateLimit(1)) == 0.0


@pytest.mark.parametrize("address", ["+919876543210", "919876543210", "tg:5123456789",
                                     "5123456789012345"])
def test_recipient_keys_refuse_addresses(address: str) -> None:
    """A key is never built from a phone number or chat id, only from a lookup hash."""
    with pytest.raises(ValueError):
        recipient_key("acct1", address)
