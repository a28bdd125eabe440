"""Dispatchers hand committed outbox ids to whatever delivers them."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

log = logging.getLogger(__name__)

Deliver = Callable[[str], object]
Due = Callable[[], Sequence[str]]


class Dispatcher(Protocol):
    """Accepts outbox ids after their transaction committed."""

    def enqueue(self, outbox_ids: Iterable[str]) -> None:
        """Arrange for delivery of these rows (best effort: the sweeper covers losses)."""


class InlineDispatcher:
    """Delivers at once in the caller's thread (tests and benchmarks)."""

    def __init__(self, deliver: Deliver) -> None:
        self.deliver = deliver

    def enqueue(self, outbox_ids: Iterable[str]) -> None:
        """Deliver each row now."""
        for outbox_id in outbox_ids:
            self.deliver(outbox_id)


class CollectingDispatcher:
    """Remembers ids without delivering (tests that run a worker separately)."""

    def __init__(self) -> None:
        self.ids: list[str] = []

    def enqueue(self, outbox_ids: Iterable[str]) -> None:
        """Remember the ids."""
        self.ids.extend(outbox_ids)


class ThreadDispatcher:
    """Embedded runner: a small thread pool plus a sweeper thread for retries and leftovers."""

    def __init__(self, deliver: Deliver, due: Due, sweep_seconds: float, workers: int = 4) -> None:
        self.deliver = deliver
        self.due = due
        self.sweep_seconds = sweep_seconds
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="outbox")
        self._stop = threading.Event()
        self._sweeper = threading.Thread(target=self._sweep_loop, name="outbox-sweeper",
                                         daemon=True)

    def start(self) -> None:
        """Start the sweeper (which also picks up rows queued before a restart)."""
        self._sweeper.start()

    def stop(self) -> None:
        """Stop sweeping and wait for running deliveries."""
        self._stop.set()
        self.pool.shutdown(wait=True)

    def enqueue(self, outbox_ids: Iterable[str]) -> None:
        """Deliver on the pool."""
        for outbox_id in outbox_ids:
            self.pool.submit(self._safe, outbox_id)

    def _safe(self, outbox_id: str) -> None:
        """Deliver one row; errors are logged and the sweeper retries."""
        try:
            self.deliver(outbox_id)
        except Exception:  # a background thread must survive any bug; the row stays due
            log.exception("delivery of %s crashed", outbox_id)

    def _sweep_loop(self) -> None:
        """Every few seconds, deliver whatever is due."""
        while not self._stop.wait(self.sweep_seconds):
            try:
                ids = self.due()
            except Exception:  # database briefly unavailable: try again next round
                log.exception("outbox sweep failed")
                continue
            for outbox_id in ids:
                self._safe(outbox_id)
