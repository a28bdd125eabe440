"""Celery for production: conversation turns, outbox deliveries by lane, and the sweepers.

Queues: `turns` (recorded inbound events, one conversation at a time), `replies` (replies
and transactional notices, the sweepers, the escalation sweep, recorded payment webhooks and
the payments safety net), `bulk` (campaign sends).
Run and scale a worker per queue, e.g. `celery -A services.tasks.celery_app worker -Q turns`;
beat runs once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import cache
from typing import Any

from celery import Celery
from celery.signals import worker_process_shutdown
from kombu.exceptions import KombuError
from redis.exceptions import RedisError

from services.context import AppContext, build_context
from services.inbox.worker import due_conversations, purge, run_conversation
from services.messaging.lanes import TURNS_QUEUE, Lane
from services.routing.escalate import run_escalations
from services.settings import Settings, get_settings
from services.tasks.local_replies import LocalReplies
from services.web import access_log

log = logging.getLogger(__name__)

app = Celery("nagarsetu")
PUBLISH_ERRORS = (KombuError, RedisError, OSError)
"""What publishing raises while the broker is down (the sweepers catch up later)."""
TURNS_PER_TASK = 4
"""Conversations per turns task when several are handed on together (the webhook writer's
batches, the sweeper's finds)."""
LOCAL_LANES = (Lane.REPLY, Lane.NOTICE)
"""What a worker delivers from its own threads when it wrote it (bulk sends keep their queue,
paced by the campaign's senders)."""
LOCAL_BACKLOG_PER_THREAD = 16
"""Replies waiting for a worker process's own delivery threads, per thread, before further
ones go through the replies queue."""


_CHOSEN: list[Settings] = []
"""Settings given to `configure` explicitly; they win over the environment."""


def configure(settings: Settings) -> None:
    """Point Celery at the broker, queues and schedule of these settings."""
    _CHOSEN[:] = [settings]
    _apply(settings)


def _apply(settings: Settings) -> None:
    """Write the settings into Celery's configuration."""
    broker = settings.redis_url or "memory://"
    sweep = settings.sweep_interval_seconds
    app.conf.update(
        broker_url=broker,
        result_backend=None,
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=4,
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=2,
        task_default_queue=Lane.REPLY.queue,
        imports=("services.campaigns.tasks",),  # campaign chunks and tick (docs/campaigns.md)
        task_routes={"nagarsetu.run_turns": {"queue": TURNS_QUEUE},
                     "nagarsetu.run_turns_batch": {"queue": TURNS_QUEUE},
                     "nagarsetu.sweep_inbox": {"queue": TURNS_QUEUE},
                     "nagarsetu.sweep_media": {"queue": TURNS_QUEUE},
                     "nagarsetu.sweep_email": {"queue": TURNS_QUEUE},
                     "nagarsetu.campaign_chunk": {"queue": Lane.BULK.queue},
                     "nagarsetu.campaigns_tick": {"queue": Lane.BULK.queue}},
        beat_schedule={
            "sweep-inbox": {"task": "nagarsetu.sweep_inbox", "schedule": sweep},
            "sweep-outbox": {"task": "nagarsetu.sweep_outbox", "schedule": sweep},
            "sweep-media": {"task": "nagarsetu.sweep_media", "schedule": sweep},
            "sweep-email": {"task": "nagarsetu.sweep_email", "schedule": sweep},
            "campaigns-tick": {"task": "nagarsetu.campaigns_tick", "schedule": sweep},
            "escalate": {"task": "nagarsetu.escalate",
                         "schedule": settings.escalation_interval_seconds},
            "payments-check": {"task": "nagarsetu.payments_check",
                               "schedule": settings.payments_check_seconds},
            "payments-sweep": {"task": "nagarsetu.payments_sweep",
                               "schedule": settings.payments_sweep_seconds},
            "connectors-sweep": {"task": "nagarsetu.connectors_sweep",
                                 "schedule": settings.connectors_sweep_seconds},
        },
    )


@app.on_configure.connect  # type: ignore[untyped-decorator]
def _configure(sender: Celery, **_: Any) -> None:
    """Celery configures itself on first use: from the settings given explicitly (the API
    process), else from the environment (worker and beat processes)."""
    _apply(_CHOSEN[0] if _CHOSEN else get_settings())


@cache
def worker_context() -> AppContext:
    """The worker process's context, built once; what a turn queues goes back to Celery."""
    access_log.install()  # provider URLs carry tokens: never in a worker's log either
    ctx = build_context(get_settings())
    threads = ctx.settings.worker_reply_threads
    local = (LocalReplies(ctx.deliver, threads, threads * LOCAL_BACKLOG_PER_THREAD)
             if threads else None)
    ctx.dispatcher = CeleryDispatcher(ctx.settings, local)
    return ctx


@worker_process_shutdown.connect  # type: ignore[untyped-decorator]
def _shutdown(**_: Any) -> None:
    """Send the replies already taken, then release the process's pooled connections."""
    if worker_context.cache_info().currsize:
        ctx = worker_context()
        if isinstance(ctx.dispatcher, CeleryDispatcher):
            ctx.dispatcher.close()
        ctx.close()


@app.task(name="nagarsetu.run_turns")  # type: ignore[untyped-decorator]
def run_turns(conversation: str) -> int:
    """Handle a conversation's recorded events in order (skipped if another worker has it)."""
    return run_conversation(worker_context(), conversation)


@app.task(name="nagarsetu.run_turns_batch")  # type: ignore[untyped-decorator]
def run_turns_batch(conversations: list[str]) -> int:
    """Several conversations' recorded events, one conversation after another (each still
    under its own lease); how many turns ran."""
    ctx = worker_context()
    return sum(run_conversation(ctx, conversation) for conversation in conversations)


@app.task(name="nagarsetu.sweep_inbox")  # type: ignore[untyped-decorator]
def sweep_inbox() -> int:
    """Queue conversations whose events wait too long: lost enqueues, dead workers, failures."""
    ctx = worker_context()
    conversations = due_conversations(ctx.sessions, ctx.settings.inbox_sweep_age_seconds)
    ctx.dispatcher.enqueue_turns(conversations)
    purge(ctx.sessions, ctx.settings.inbox_retention_days)
    return len(conversations)


@app.task(name="nagarsetu.sweep_media")  # type: ignore[untyped-decorator]
def sweep_media() -> int:
    """Copy attachments whose copy is due: IVR recordings, retries, a crashed worker's."""
    return worker_context().sweep_media()


@app.task(name="nagarsetu.sweep_email")  # type: ignore[untyped-decorator]
def sweep_email() -> int:
    """Send the staff e-mail notices that are due (SMTP, with retries)."""
    return worker_context().sweep_email()


@app.task(name="nagarsetu.deliver_outbox")  # type: ignore[untyped-decorator]
def deliver_outbox(outbox_id: str) -> str:
    """Deliver one outbox row (idempotent: a claimed or finished row is skipped)."""
    return str(worker_context().deliver(outbox_id))


@app.task(name="nagarsetu.sweep_outbox")  # type: ignore[untyped-decorator]
def sweep_outbox() -> int:
    """Queue every due row, by priority, in its lane: retries and lost enqueues."""
    ctx = worker_context()
    due = ctx.due()
    for outbox_id, lane in due:
        ctx.dispatcher.enqueue([outbox_id], lane)
    return len(due)


@app.task(name="nagarsetu.escalate")  # type: ignore[untyped-decorator]
def escalate() -> int:
    """Move grievances past their SLA up their department's ladder (idempotent)."""
    ctx = worker_context()
    return len(run_escalations(ctx.sessions, ctx.crypto, ctx.dispatcher))


@app.task(name="nagarsetu.payment_event")  # type: ignore[untyped-decorator]
def payment_event(event_row_id: str) -> str:
    """Apply one recorded gateway webhook (idempotent: a handled event is skipped)."""
    return worker_context().handle_payment_event(event_row_id)


@app.task(name="nagarsetu.payments_check")  # type: ignore[untyped-decorator]
def payments_check() -> int:
    """Ask the gateway about attempts still open after 15 minutes; finish lost receipts."""
    return worker_context().check_payments().checked


@app.task(name="nagarsetu.payments_sweep")  # type: ignore[untyped-decorator]
def payments_sweep() -> int:
    """The daily safety net over every open attempt and the recently closed ones."""
    return worker_context().sweep_payments().checked


@app.task(name="nagarsetu.connectors_sweep")  # type: ignore[untyped-decorator]
def connectors_sweep() -> int:
    """Platform connectors: file queued grievances, post payments, poll status changes."""
    return worker_context().sweep_connectors()


class CeleryDispatcher:
    """Sends tasks to their queues; while the broker is down, the sweepers catch up."""

    def __init__(self, settings: Settings, local: LocalReplies | None = None) -> None:
        configure(settings)
        self.local = local
        """In a worker process: its own threads for the replies it writes."""

    def enqueue(self, outbox_ids: Iterable[str], lane: Lane = Lane.REPLY) -> None:
        """One delivery task per row, on the lane's queue; in a worker, the replies and
        notices it wrote (a turn's answer, a receipt's notice) go to its own delivery threads
        while they have room, rather than queueing behind every task already in `replies`."""
        for outbox_id in outbox_ids:
            if lane in LOCAL_LANES and self.local is not None and self.local.offer(outbox_id):
                continue
            self._send(deliver_outbox, outbox_id, lane.queue)

    def close(self) -> None:
        """Wait for the replies this process took (a worker's warm shutdown)."""
        if self.local is not None:
            self.local.close()

    def enqueue_turns(self, conversations: Iterable[str]) -> None:
        """On the turns queue: one task for a single conversation, else one task per
        `TURNS_PER_TASK` of them (a publish costs the API process more CPU than the webhook's
        insert; a small chunk keeps the conversations of a busy second spread over every
        worker)."""
        pending = list(conversations)
        if len(pending) == 1:
            self._send(run_turns, pending[0], TURNS_QUEUE)
            return
        for start in range(0, len(pending), TURNS_PER_TASK):
            self._send(run_turns_batch, pending[start:start + TURNS_PER_TASK], TURNS_QUEUE)

    def enqueue_payment_events(self, event_ids: Iterable[str]) -> None:
        """One task per recorded payment webhook, on the replies queue (the 15-minute check
        picks up any whose publish was lost)."""
        for event_id in event_ids:
            self._send(payment_event, event_id, Lane.REPLY.queue)

    @staticmethod
    def _send(task: Any, key: str | list[str], queue: str) -> None:
        """Publish without retrying: a webhook must not wait for a broker that is down."""
        try:
            task.apply_async((key,), queue=queue, retry=False)
        except PUBLISH_ERRORS as exc:
            log.warning("broker unavailable (%s); %s left to the sweeper", type(exc).__name__,
                        queue)
