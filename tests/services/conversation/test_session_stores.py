"""Sessions are stored sealed: no citizen text in Redis, small, and unreadable ones dropped."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import pytest
import redis

from bots.session import Session
from services.conversation.sessions import MemorySessionStore, RedisSessionStore
from services.security.crypto import Crypto
from tests.support.services import redis_database

CRYPTO = Crypto("k1:" + "session-test-secret-0123456789abcdef")
DESCRIPTION = "गली नंबर 4 में तीन दिन से कचरा नहीं उठाया गया, बदबू आ रही है और कुत्ते फैला रहे हैं"
KEY = "pb.amritsar:k1$" + "ab" * 32


def mid_grievance() -> dict[str, Any]:
    """A session halfway through filing: category, locality, location and description given."""
    return Session(flow="grievance", step=5, waiting=None, slots={
        "category": "3f1c9a7e5b2d4c6a8e0f1a2b3c4d5e6f",
        "locality": "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b",
        "location": {"lat": 31.6200, "lon": 74.8765},
        "description": DESCRIPTION,
    }).to_dict()


@pytest.fixture
def client() -> Iterator[redis.Redis]:
    """A client on the test Redis database (emptied)."""
    connection = redis.Redis.from_url(redis_database())
    yield connection
    connection.close()


def test_redis_holds_only_ciphertext(client: redis.Redis) -> None:
    """What Redis keeps contains no description, no location, no slot names."""
    store = RedisSessionStore(client, 600, crypto=CRYPTO)
    store.set(KEY, mid_grievance())
    raw = cast("bytes", client.get(f"ns:session:{KEY}"))
    assert raw.startswith(b"k1$")
    for clear in (DESCRIPTION.encode(), b"74.8765", b"description", b"grievance"):
        assert clear not in raw
    assert store.get(KEY) == mid_grievance()
    assert 0 < cast("int", client.ttl(f"ns:session:{KEY}")) <= 600


def test_a_mid_grievance_session_stays_under_1_kb_in_redis(client: redis.Redis) -> None:
    """Measured as Redis counts it (MEMORY USAGE, key and overhead included)."""
    store = RedisSessionStore(client, 600, crypto=CRYPTO)
    store.set(KEY, mid_grievance())
    used = cast("int", client.memory_usage(f"ns:session:{KEY}"))
    assert used <= 1024, used


def test_a_session_under_an_unknown_key_is_treated_as_expired(client: redis.Redis) -> None:
    """After the key that sealed it is dropped, the turn starts afresh instead of failing."""
    RedisSessionStore(client, 600, crypto=CRYPTO).set(KEY, mid_grievance())
    other = RedisSessionStore(client, 600, crypto=Crypto("k2:" + "another-secret-0123456789ab"))
    assert other.get(KEY) is None
    client.set(f"ns:session:{KEY}", b'{"flow": "grievance"}')  # plain JSON from before
    assert RedisSessionStore(client, 600, crypto=CRYPTO).get(KEY) is None


def test_sessions_survive_a_key_rotation(client: redis.Redis) -> None:
    """Sealed under k1, read with k2 current and k1 still in the ring."""
    RedisSessionStore(client, 600, crypto=CRYPTO).set(KEY, mid_grievance())
    ring = Crypto("k2:" + "another-secret-0123456789ab,k1:session-test-secret-0123456789abcdef")
    assert RedisSessionStore(client, 600, crypto=ring).get(KEY) == mid_grievance()


def test_the_memory_store_seals_too() -> None:
    """The embedded store keeps the same ciphertext, and hands out copies."""
    store = MemorySessionStore(600, crypto=CRYPTO)
    store.set(KEY, mid_grievance())
    sealed = store._data[KEY][1]
    assert sealed.startswith(b"k1$") and DESCRIPTION.encode() not in sealed
    got = store.get(KEY)
    assert got == mid_grievance()
    assert got is not None
    got["flow"] = "changed"
    assert store.get(KEY) == mid_grievance()
    stranger = MemorySessionStore(600, crypto=Crypto("k3:" + "x" * 32))
    stranger._data = store._data
    assert stranger.get(KEY) is None
