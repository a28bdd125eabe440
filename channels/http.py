"""Provider HTTP clients built one way: pooled, keep-alive, explicit limits and timeouts.

Building an `httpx.Client` builds a TLS context (certificates loaded and parsed), which is far
dearer than the request it serves; so every adapter and simulator keeps one client, made on
first use (`Pooled`), and closes it when the adapter is closed. A forked child (Celery prefork)
builds its own instead of sharing the parent's sockets.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from functools import partial
from typing import Generic, TypeVar

import httpx

T = TypeVar("T")

TIMEOUT = httpx.Timeout(connect=5.0, read=10.0, write=10.0, pool=5.0)
"""Seconds to connect, to wait for each read and write, and for a free pooled connection."""
LIMITS = httpx.Limits(max_connections=32, max_keepalive_connections=16, keepalive_expiry=30.0)
"""Per client: enough for a worker's threads; idle connections kept half a minute."""


def http_client(*, transport: httpx.BaseTransport | None = None,
                headers: Mapping[str, str] | None = None,
                timeout: httpx.Timeout = TIMEOUT, limits: httpx.Limits = LIMITS,
                trust_env: bool = False, follow_redirects: bool = False) -> httpx.Client:
    """A keep-alive client with our limits and timeouts (a given transport is used as is).

    `trust_env` is off by default so that the account's API base alone decides where
    credentials go (no proxy or netrc from the process environment).
    """
    return httpx.Client(transport=transport, headers=dict(headers or {}), timeout=timeout,
                        limits=limits, trust_env=trust_env, follow_redirects=follow_redirects)


def close_http(client: httpx.Client) -> None:
    """Close an httpx client's pool."""
    client.close()


class Pooled(Generic[T]):
    """One long-lived client, built on first use and kept until `close` (thread-safe).

    `builds` counts how many were made, so tests (and operators) can see that sends reuse it.
    """

    def __init__(self, build: Callable[[], T], close: Callable[[T], None]) -> None:
        self._build, self._close = build, close
        self._value: T | None = None
        self._pid = 0
        self._lock = threading.Lock()
        self.builds = 0

    def get(self) -> T:
        """The client, made now if there is none yet (or the process was forked since)."""
        with self._lock:
            if self._value is None or self._pid != os.getpid():
                # A parent's client is dropped, not closed: its sockets are the parent's.
                self._value, self._pid = self._build(), os.getpid()
                self.builds += 1
            return self._value

    def close(self) -> None:
        """Close the client, if one was made in this process; `get` makes a new one after."""
        with self._lock:
            value, self._value = self._value, None
            if value is not None and self._pid == os.getpid():
                self._close(value)

    @property
    def is_open(self) -> bool:
        """Whether a client is held now."""
        return self._value is not None


def pooled_http(*, transport: httpx.BaseTransport | None = None,
                headers: Mapping[str, str] | None = None,
                timeout: httpx.Timeout = TIMEOUT, limits: httpx.Limits = LIMITS,
                trust_env: bool = False, follow_redirects: bool = False) -> Pooled[httpx.Client]:
    """A `Pooled` httpx client, built by `http_client` with these options."""
    return Pooled(partial(http_client, transport=transport, headers=headers, timeout=timeout,
                          limits=limits, trust_env=trust_env,
                          follow_redirects=follow_redirects), close_http)


_PROCESS: list[Pooled[httpx.Client]] = []
_PROCESS_LOCK = threading.Lock()


def process_http(*, timeout: httpx.Timeout = TIMEOUT,
                 limits: httpx.Limits = LIMITS) -> Pooled[httpx.Client]:
    """A pooled client kept for the whole process (a simulator's callbacks, a terminal phone);
    `close_process_http` closes every one of them at shutdown."""
    pool = pooled_http(timeout=timeout, limits=limits)
    with _PROCESS_LOCK:
        _PROCESS.append(pool)
    return pool


def close_process_http() -> None:
    """Close every process-wide client (they reopen if used again)."""
    with _PROCESS_LOCK:
        pools = list(_PROCESS)
    for pool in pools:
        pool.close()
