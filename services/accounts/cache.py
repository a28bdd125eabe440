"""Channel accounts as webhooks need them, cached per process for a few seconds.

Every webhook names its account; reading it from the database each time was a round trip on
the fast path. A change (an account disabled, credentials replaced) reaches every process
within the cache's lifetime (`NAGARSETU_ACCOUNT_CACHE_SECONDS`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from services.accounts.models import ChannelAccount


class AccountCache:
    """Detached account rows by id, each kept for `ttl` seconds (misses are cached too)."""

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.clock = clock
        self._rows: dict[str, tuple[float, ChannelAccount | None]] = {}
        self._lock = threading.Lock()

    def get(self, sessions: sessionmaker[Session], account_id: str) -> ChannelAccount | None:
        """The account (read-only, detached), or None when there is no such account."""
        now = self.clock()
        with self._lock:
            hit = self._rows.get(account_id)
        if hit is not None and hit[0] > now:
            return hit[1]
        with sessions() as db:
            row = db.get(ChannelAccount, account_id)
            if row is not None:
                db.expunge(row)
        with self._lock:
            if len(self._rows) > 10_000:  # ids probed at random must not grow it without end
                self._rows.clear()
            self._rows[account_id] = (now + self.ttl, row)
        return row

    def peek(self, account_id: str) -> tuple[bool, ChannelAccount | None]:
        """(True, account or None) when the cache holds a fresh answer; (False, None) when
        only the database can say (callers that must not wait on it take another path)."""
        with self._lock:
            hit = self._rows.get(account_id)
        if hit is not None and hit[0] > self.clock():
            return True, hit[1]
        return False, None

    def clear(self) -> None:
        """Forget everything (tests, and after a change made in this process)."""
        with self._lock:
            self._rows.clear()
