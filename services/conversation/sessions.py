"""Session stores: Redis with a TTL in production, an in-process dict when embedded.

Both keep a session only as ciphertext (`Crypto.seal_json`: a citizen's half-written
description and location are personal data). A session under a key the ring no longer has is
treated as expired: sessions can be lost without harm, a turn must not fail.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Protocol, cast

import redis
from redis.exceptions import LockError
from redis.lock import Lock

from services.security.crypto import Crypto, DecryptionError

log = logging.getLogger(__name__)


def _open(crypto: Crypto | None, raw: bytes, key: str) -> dict[str, Any] | None:
    """A stored session's data; None (as if expired) when it cannot be decrypted."""
    try:
        if crypto is None:
            data: dict[str, Any] = json.loads(raw)
            return data
        return crypto.open_json(raw)
    except (DecryptionError, ValueError) as exc:
        log.warning("session %s dropped: %s", key.split(":", 1)[0],
                    getattr(exc, "code", "unreadable"))
        return None


def _seal(crypto: Crypto | None, value: dict[str, Any]) -> bytes:
    """What is stored for a session."""
    return json.dumps(value).encode() if crypto is None else crypto.seal_json(value)


class SessionStore(Protocol):
    """Where conversation sessions live; everything in it can be lost without harm."""

    def get(self, key: str) -> dict[str, Any] | None:
        """The stored session, or None when absent or expired."""

    def set(self, key: str, value: dict[str, Any]) -> None:
        """Store a session, restarting its time to live."""

    def lock(self, key: str) -> AbstractContextManager[object]:
        """Serialise work on one conversation across threads and processes."""

    def lease(self, key: str, seconds: float) -> AbstractContextManager[Lease]:
        """Try to take the conversation without waiting; the lease lapses after `seconds`."""


class Lease(Protocol):
    """A conversation taken by one worker for a while."""

    held: bool

    def renew(self) -> None:
        """Start the lease's time again (between turns)."""


class _ThreadLease:
    """An in-process lease: a non-blocking acquire of the conversation's lock."""

    def __init__(self, held: bool) -> None:
        self.held = held

    def renew(self) -> None:
        """Nothing lapses in process."""


class MemorySessionStore:
    """Embedded store: a dict with expiry times, safe across threads."""

    def __init__(self, ttl_seconds: int, crypto: Crypto | None = None) -> None:
        self.ttl = ttl_seconds
        self.crypto = crypto
        self._data: dict[str, tuple[float, bytes]] = {}
        self._lock = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}

    def get(self, key: str) -> dict[str, Any] | None:
        """The session if not expired."""
        with self._lock:
            item = self._data.get(key)
            if item is None or item[0] < time.monotonic():
                self._data.pop(key, None)
                return None
        return _open(self.crypto, item[1], key)

    def set(self, key: str, value: dict[str, Any]) -> None:
        """Store with a fresh expiry."""
        sealed = _seal(self.crypto, value)
        with self._lock:
            self._data[key] = (time.monotonic() + self.ttl, sealed)

    def expire(self, key: str) -> None:
        """Forget a session now (tests of expiry)."""
        with self._lock:
            self._data.pop(key, None)

    @contextmanager
    def lock(self, key: str) -> Iterator[object]:
        """A per-conversation lock within this process."""
        with self._lock:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            yield lock

    @contextmanager
    def lease(self, key: str, seconds: float) -> Iterator[Lease]:
        """The same lock as `lock`, taken only if free."""
        with self._lock:
            lock = self._locks.setdefault(key, threading.Lock())
        held = lock.acquire(blocking=False)
        try:
            yield _ThreadLease(held)
        finally:
            if held:
                lock.release()


class RedisSessionStore:
    """Sessions as sealed JSON under `ns:session:<key>` with SETEX."""

    def __init__(self, client: redis.Redis, ttl_seconds: int, crypto: Crypto | None = None) -> None:
        self.client = client
        self.ttl = ttl_seconds
        self.crypto = crypto

    def get(self, key: str) -> dict[str, Any] | None:
        """The session if Redis still has it."""
        raw = cast("bytes | None", self.client.get(f"ns:session:{key}"))
        if raw is None:
            return None
        return _open(self.crypto, raw, key)

    def set(self, key: str, value: dict[str, Any]) -> None:
        """Store with a fresh TTL."""
        self.client.set(f"ns:session:{key}", _seal(self.crypto, value), ex=self.ttl)

    def expire(self, key: str) -> None:
        """Forget a session now (tests of expiry)."""
        self.client.delete(f"ns:session:{key}")

    @contextmanager
    def lock(self, key: str) -> Iterator[object]:
        """A Redis lock, so API processes on many machines serialise one conversation."""
        with self.client.lock(f"ns:lock:{key}", timeout=30, blocking_timeout=15) as lock:
            yield lock

    @contextmanager
    def lease(self, key: str, seconds: float) -> Iterator[Lease]:
        """The same Redis lock as `lock`, taken only if free, lapsing unless renewed."""
        lock = self.client.lock(f"ns:lock:{key}", timeout=seconds)
        lease = _RedisLease(lock, bool(lock.acquire(blocking=False)))
        try:
            yield lease
        finally:
            if lease.held:
                try:
                    lock.release()
                except LockError:  # lapsed (a turn outlived the lease); nothing to release
                    log.warning("conversation lease lapsed before release")


class _RedisLease:
    """A Redis lock held as a lease."""

    def __init__(self, lock: Lock, held: bool) -> None:
        self.lock = lock
        self.held = held

    def renew(self) -> None:
        """Reset the lock's time to live."""
        self.lock.reacquire()
