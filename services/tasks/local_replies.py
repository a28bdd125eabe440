"""A Celery worker's own reply deliveries: what its turns wrote goes out from the same process.

A reply written by a turn would otherwise make a round trip through the broker (a publish by
the turn, then a `replies` task: decoding, acknowledging and prefork hand-over on both sides)
before the delivery that takes a few milliseconds itself. Here the turn hands the committed
outbox id to a few threads of its own process, which deliver it while the process goes on with
the next turn (the provider call waits on the network, not on the interpreter).

Nothing is lost by skipping the broker: the outbox row is committed before it is offered, so a
process that dies with offered rows leaves them pending and due, and the outbox sweeper
(beat, every `NAGARSETU_SWEEP_INTERVAL_SECONDS`) queues them again. A full backlog (the
provider is slow) refuses the offer, and the row goes through the `replies` queue, where any
worker can take it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

log = logging.getLogger(__name__)

Deliver = Callable[[str], object]


class LocalReplies:
    """Delivers offered outbox rows on `threads` threads, at most `backlog` waiting."""

    def __init__(self, deliver: Deliver, threads: int, backlog: int) -> None:
        self._deliver = deliver
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="replies")
        self._slots = threading.BoundedSemaphore(backlog)
        self._closed = False

    def offer(self, outbox_id: str) -> bool:
        """Take the row for delivery here; False when the backlog is full or closing."""
        if self._closed or not self._slots.acquire(blocking=False):
            return False
        try:
            self._pool.submit(self._run, outbox_id)
        except RuntimeError:  # shut down meanwhile
            self._slots.release()
            return False
        return True

    def _run(self, outbox_id: str) -> None:
        """One delivery; its errors are logged (never the content) and swept later."""
        try:
            self._deliver(outbox_id)
        except Exception as exc:  # noqa: BLE001  a background thread must survive any bug
            log.error("local delivery of outbox %s crashed: %s", outbox_id, type(exc).__name__)
        finally:
            self._slots.release()

    def close(self) -> None:
        """Refuse new offers and wait for the ones taken (a warm shutdown sends them)."""
        self._closed = True
        self._pool.shutdown(wait=True)
