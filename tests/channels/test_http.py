"""channels/http.py: one client per holder, built once even under threads, closed on close()."""

from __future__ import annotations

import os
import threading

import httpx
import pytest

from channels import http
from channels.http import LIMITS, TIMEOUT, Pooled, close_process_http, http_client, pooled_http


def echo(request: httpx.Request) -> httpx.Response:
    """A mock provider answering every request."""
    return httpx.Response(200, json={"path": request.url.path})


def test_clients_have_explicit_limits_and_timeouts() -> None:
    """Connect, read, write and pool timeouts, and a bounded keep-alive pool, every time."""
    assert (TIMEOUT.connect, TIMEOUT.read, TIMEOUT.write, TIMEOUT.pool) == (5.0, 10.0, 10.0, 5.0)
    client = http_client()
    assert client.timeout == TIMEOUT and not client.trust_env
    pool = client._transport._pool  # type: ignore[attr-defined]
    assert pool._max_connections == LIMITS.max_connections
    assert pool._max_keepalive_connections == LIMITS.max_keepalive_connections
    client.close()


def test_built_once_for_many_threads_and_reused() -> None:
    """Eight threads asking at once get the same client; one was built."""
    pool = pooled_http(transport=httpx.MockTransport(echo))
    got: list[httpx.Client] = []
    barrier = threading.Barrier(8)

    def use() -> None:
        """Ask for the client and send through it."""
        barrier.wait()
        client = pool.get()
        assert client.get("https://api.example/x").json() == {"path": "/x"}
        got.append(client)

    threads = [threading.Thread(target=use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert pool.builds == 1 and len({id(c) for c in got}) == 1


def test_close_closes_and_a_later_use_reopens() -> None:
    """close() closes the client; the next get() builds a fresh one."""
    pool = pooled_http(transport=httpx.MockTransport(echo))
    first = pool.get()
    pool.close()
    assert first.is_closed and not pool.is_open
    second = pool.get()
    assert second is not first and not second.is_closed and pool.builds == 2
    pool.close()
    pool.close()  # twice is fine


def test_a_forked_child_builds_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """After a fork the parent's client is left alone (its sockets are the parent's)."""
    closed: list[object] = []
    pool: Pooled[object] = Pooled(object, closed.append)
    parent = pool.get()
    monkeypatch.setattr(os, "getpid", lambda: -1)
    child = pool.get()
    assert child is not parent and pool.builds == 2
    monkeypatch.setattr(os, "getpid", lambda: -2)
    pool.close()
    assert closed == []  # made in another "process": dropped, not closed


def test_process_wide_clients_close_together(monkeypatch: pytest.MonkeyPatch) -> None:
    """close_process_http() closes every simulator's (and phone's) client."""
    monkeypatch.setattr(http, "_PROCESS", [])
    pools = [http.process_http(), http.process_http()]
    clients = [p.get() for p in pools]
    close_process_http()
    assert all(c.is_closed for c in clients) and not any(p.is_open for p in pools)
