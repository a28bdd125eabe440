"""Dispatchers hand committed work to whatever runs it: conversation turns and deliveries.

Embedded, a `ThreadDispatcher` runs both on thread pools with a sweeper thread; in production
the Celery dispatcher (services.tasks.celery_app) sends them to their queues. Recorded payment
webhooks are handed over the same way (`enqueue_payment_events`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from services.messaging.lanes import Lane

log = logging.getLogger(__name__)

Deliver = Callable[[str], object]
Due = Callable[[], Sequence[tuple[str, Lane]]]
RunTurns = Callable[[str], object]
DueTurns = Callable[[], Sequence[str]]
SweepMedia = Callable[[], object]
Periodic = Callable[[], object]


class Dispatcher(Protocol):
    """Accepts work after its transaction committed (best effort: sweepers cover losses)."""

    def enqueue(self, outbox_ids: Iterable[str], lane: Lane = Lane.REPLY) -> None:
        """Arrange for delivery of these outbox rows, in their lane."""

    def enqueue_turns(self, conversations: Iterable[str]) -> None:
        """Arrange for the pending inbox events of these conversations to be handled."""

    def enqueue_payment_events(self, event_ids: Iterable[str]) -> None:
        """Arrange for these recorded payment webhooks to be applied."""


class InlineDispatcher:
    """Does the work at once in the caller's thread (tests and benchmarks)."""

    def __init__(self, deliver: Deliver, run_turns: RunTurns | None = None,
                 payment_event: Deliver | None = None) -> None:
        self.deliver = deliver
        self.run_turns = run_turns
        self.payment_event = payment_event

    def enqueue(self, outbox_ids: Iterable[str], lane: Lane = Lane.REPLY) -> None:
        """Deliver each row now."""
        for outbox_id in outbox_ids:
            self.deliver(outbox_id)

    def enqueue_turns(self, conversations: Iterable[str]) -> None:
        """Run each conversation's turns now."""
        for conversation in conversations:
            if self.run_turns is not None:
                self.run_turns(conversation)

    def enqueue_payment_events(self, event_ids: Iterable[str]) -> None:
        """Apply each payment event now."""
        for event_id in event_ids:
            if self.payment_event is not None:
                self.payment_event(event_id)


class CollectingDispatcher:
    """Remembers what was handed over without running it (tests that run workers apart)."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.conversations: list[str] = []
        self.payment_events: list[str] = []

    def enqueue(self, outbox_ids: Iterable[str], lane: Lane = Lane.REPLY) -> None:
        """Remember the ids."""
        self.ids.extend(outbox_ids)

    def enqueue_turns(self, conversations: Iterable[str]) -> None:
        """Remember the conversations."""
        self.conversations.extend(conversations)

    def enqueue_payment_events(self, event_ids: Iterable[str]) -> None:
        """Remember the payment events."""
        self.payment_events.extend(event_ids)


class ThreadDispatcher:
    """Embedded runner: thread pools for turns and deliveries, and a sweeper thread."""

    def __init__(self, deliver: Deliver, due: Due, sweep_seconds: float,
                 run_turns: RunTurns | None = None, due_turns: DueTurns | None = None,
                 workers: int = 4, sweep_media: SweepMedia | None = None,
                 escalate: Periodic | None = None, escalate_seconds: float = 300.0,
                 sweep_email: SweepMedia | None = None,
                 payment_event: Deliver | None = None,
                 periodic: Sequence[tuple[Periodic, float]] = ()) -> None:
        self.deliver = deliver
        self.due = due
        self.run_turns = run_turns
        self.due_turns = due_turns
        self.sweep_media = sweep_media
        self.sweep_email = sweep_email
        self.escalate = escalate
        self.escalate_seconds = escalate_seconds
        self._escalated_at = float("-inf")
        self.payment_event = payment_event
        self.periodic = list(periodic)
        """Other jobs and their intervals (the payments safety net), run in the sweeper, the
        first time one interval after start."""
        self._ran_at = [time.monotonic()] * len(self.periodic)
        self.sweep_seconds = sweep_seconds
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="outbox")
        self.turns = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="turns")
        self._stop = threading.Event()
        self._sweeper = threading.Thread(target=self._sweep_loop, name="sweeper", daemon=True)

    def start(self) -> None:
        """Start the sweeper (which also picks up work left before a restart)."""
        self._sweeper.start()

    def stop(self) -> None:
        """Stop sweeping and wait for running turns and deliveries."""
        self._stop.set()
        self.turns.shutdown(wait=True)
        self.pool.shutdown(wait=True)

    def enqueue(self, outbox_ids: Iterable[str], lane: Lane = Lane.REPLY) -> None:
        """Deliver on the pool."""
        for outbox_id in outbox_ids:
            self.pool.submit(self._safe, self.deliver, outbox_id)

    def enqueue_turns(self, conversations: Iterable[str]) -> None:
        """Run turns on their own pool, so deliveries never wait behind them."""
        if self.run_turns is None:
            return
        for conversation in conversations:
            self.turns.submit(self._safe, self.run_turns, conversation)

    def enqueue_payment_events(self, event_ids: Iterable[str]) -> None:
        """Apply payment events on the turns pool (they call no provider)."""
        if self.payment_event is None:
            return
        for event_id in event_ids:
            self.turns.submit(self._safe, self.payment_event, event_id)

    @staticmethod
    def _safe(work: Callable[[str], object], key: str) -> None:
        """Run one piece of work; errors are logged (never the content) and swept later."""
        try:
            work(key)
        except Exception as exc:  # noqa: BLE001  a background thread must survive any bug
            log.error("background work on %s crashed: %s", key, type(exc).__name__)

    def _sweep_loop(self) -> None:
        """Every few seconds, hand on whatever is due: turns first, then deliveries, then
        attachments to copy and staff e-mails to send (in this thread: downloads and SMTP
        never hold a turn or a send back);
        every `escalate_seconds`, escalate grievances past their SLA."""
        while not self._stop.wait(self.sweep_seconds):
            self._maybe_escalate()
            self._run_periodic()
            try:
                conversations = self.due_turns() if self.due_turns else ()
                ids = self.due()
            except Exception as exc:  # noqa: BLE001  database briefly unavailable: next round
                log.error("sweep failed: %s", type(exc).__name__)
                continue
            self.enqueue_turns(conversations)
            for outbox_id, _lane in ids:
                self._safe(self.deliver, outbox_id)
            if self.sweep_media is not None:
                self._safe(lambda _: self.sweep_media and self.sweep_media(), "media")
            if self.sweep_email is not None:
                self._safe(lambda _: self.sweep_email and self.sweep_email(), "email")

    def _maybe_escalate(self) -> None:
        """Run the escalation sweep when its interval has passed (its notices are delivered
        by this dispatcher, or by the next outbox sweep)."""
        if self.escalate is None or time.monotonic() - self._escalated_at < self.escalate_seconds:
            return
        self._escalated_at = time.monotonic()
        try:
            self.escalate()
        except Exception as exc:  # noqa: BLE001  a background thread must survive any bug
            log.error("escalation sweep failed: %s", type(exc).__name__)

    def _run_periodic(self) -> None:
        """Run each other job whose interval has passed since it last ran."""
        for index, (job, seconds) in enumerate(self.periodic):
            if time.monotonic() - self._ran_at[index] < seconds:
                continue
            self._ran_at[index] = time.monotonic()
            try:
                job()
            except Exception as exc:  # noqa: BLE001  a background thread must survive any bug
                log.error("periodic job failed: %s", type(exc).__name__)
