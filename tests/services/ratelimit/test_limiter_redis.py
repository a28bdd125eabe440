"""The global rate limiter on real Redis: shared by every process, keys namespaced, no PII."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest
import redis

from channels.contract import RateLimit
from services.ratelimit.keys import account_key, recipient_key
from services.ratelimit.limiter import make_limiter
from tests.support.services import ROOT, redis_database

pytestmark = pytest.mark.integration

HASH = "5d41" * 16


@pytest.fixture
def url() -> str:
    """This helper's test Redis database, emptied."""
    return redis_database()


def test_count_grants_then_a_refusal_with_the_wait(url: str) -> None:
    """Four per two seconds: four grants, then a wait within the window."""
    rl, limit = make_limiter(url), RateLimit(4, 2.0)
    assert [rl.acquire(account_key("a1"), limit) for _ in range(4)] == [0.0] * 4
    wait = rl.acquire(account_key("a1"), limit)
    assert 0.0 < wait <= 2.0


def test_two_processes_share_one_budget(url: str) -> None:
    """Two limiters (own connection pools) and a separate Python process spend one bucket."""
    first, second, limit = make_limiter(url), make_limiter(url), RateLimit(3, 30.0)
    assert first.acquire(account_key("shared"), limit) == 0.0
    assert second.acquire(account_key("shared"), limit) == 0.0
    code = ("from channels.contract import RateLimit\n"
            "from services.ratelimit.limiter import make_limiter\n"
            f"rl = make_limiter({url!r})\n"
            f"print(rl.acquire('acct:shared', RateLimit(3, 30.0)),"
            f" rl.acquire('acct:shared', RateLimit(3, 30.0)))\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True, timeout=60).stdout.split()
    assert float(out[0]) == 0.0 and 0.0 < float(out[1]) <= 30.0
    assert 0.0 < first.acquire(account_key("shared"), limit) <= 30.0


def test_concurrent_workers_never_overspend(url: str) -> None:
    """Twenty threads over two limiters on a bucket of seven: exactly seven granted."""
    limiters, limit = [make_limiter(url), make_limiter(url)], RateLimit(7, 30.0)
    results: list[float] = []
    barrier = threading.Barrier(20)

    def take(n: int) -> None:
        """Try once, on one of the two limiters."""
        barrier.wait()
        results.append(limiters[n % 2].acquire(account_key("busy"), limit))

    threads = [threading.Thread(target=take, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(0.0) == 7


def test_keys_are_independent_and_recover(url: str) -> None:
    """Another recipient is free while one waits; the waiting one is free after the window."""
    rl, limit = make_limiter(url), RateLimit(1, 1.0)
    assert rl.acquire(recipient_key("a1", HASH), limit) == 0.0
    wait = rl.acquire(recipient_key("a1", HASH), limit)
    assert 0.0 < wait <= 1.0
    assert rl.acquire(recipient_key("a1", "ab" * 32), limit) == 0.0
    time.sleep(wait + 0.05)
    assert rl.acquire(recipient_key("a1", HASH), limit) == 0.0


def test_redis_keys_are_namespaced_and_expire(url: str) -> None:
    """Buckets live under ns:rl:, carry no phone number, and expire with their window."""
    rl = make_limiter(url)
    rl.acquire(account_key("a1"), RateLimit(30))
    rl.acquire(recipient_key("a1", HASH), RateLimit(10, 60.0))
    client = redis.Redis.from_url(url)
    keys = sorted(k.decode() for k in client.keys("*acct*"))
    assert keys == ["ns:rl:acct:a1/30/1/second", f"ns:rl:acct:a1:to:{HASH}/10/60/second"]
    assert 0 < client.ttl(keys[1]) <= 60
    assert not any("9876543210" in k for k in keys)
    client.close()
