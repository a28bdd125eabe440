"""One pooled HTTP client per platform base URL, and the mapping of transport failures.

Clients are built the `channels.http` way (keep-alive pools, explicit limits and timeouts,
no proxy from the environment) and kept for the process; a test may give a transport.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx

from channels.http import Pooled, pooled_http
from services.connectors.connections import Settings
from services.connectors.errors import Refused, Unavailable

TIMEOUT = httpx.Timeout(connect=3.0, read=8.0, write=8.0, pool=3.0)
"""Shorter than a provider's: a turn waits on it."""
_POOLS: dict[str, Pooled[httpx.Client]] = {}
_LOCK = threading.Lock()


def pool_for(base_url: str) -> Pooled[httpx.Client]:
    """The process's pooled client for a platform (one per base URL)."""
    with _LOCK:
        pool = _POOLS.get(base_url)
        if pool is None:
            pool = _POOLS[base_url] = pooled_http(timeout=TIMEOUT)
        return pool


def close_all() -> None:
    """Close every platform client (process shutdown; they reopen when used)."""
    with _LOCK:
        pools = list(_POOLS.values())
    for pool in pools:
        pool.close()


def call(send: Callable[[], httpx.Response], *, ok: tuple[int, ...] = (200, 201)) -> Any:
    """Send a request and return its JSON body (fractions as `Decimal`); transport failures,
    5xx and 429 are `Unavailable`, any other status or a body that is not JSON `Refused`."""
    try:
        response = send()
    except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
        raise Unavailable("platform_unavailable") from exc
    if response.status_code >= 500 or response.status_code == 429:
        raise Unavailable("platform_unavailable", response.status_code)
    if response.status_code not in ok:
        raise Refused("platform_refused", response.status_code)
    try:  # numbers with a fraction as Decimal: amounts never pass through float
        return json.loads(response.content, parse_float=Decimal)
    except ValueError as exc:
        raise Refused("platform_bad_answer", response.status_code) from exc


class PlatformClient:
    """One tenant's platform endpoints, over the process's pooled client for its base URL."""

    def __init__(self, settings: Settings, http: httpx.Client | None = None) -> None:
        self.settings = settings
        self.base = settings.base_url
        self._http = http

    @property
    def http(self) -> httpx.Client:
        """The pooled client (or the one a test gave)."""
        return self._http or pool_for(self.base).get()
