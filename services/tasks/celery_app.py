"""Celery for production: outbox delivery tasks and a beat-driven sweeper.

Run a worker with `celery -A services.tasks.celery_app worker` and beat with
`celery -A services.tasks.celery_app beat`; both read the same settings as the API.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import cache
from typing import Any

from celery import Celery
from kombu.exceptions import OperationalError

from services.context import AppContext, build_context
from services.settings import Settings, get_settings

log = logging.getLogger(__name__)

app = Celery("nagarsetu")


def configure(settings: Settings) -> None:
    """Point Celery at the broker and schedule of these settings."""
    broker = settings.redis_url or "memory://"
    app.conf.update(
        broker_url=broker,
        result_backend=None,
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=4,
        broker_connection_retry_on_startup=True,
        beat_schedule={"sweep-outbox": {"task": "nagarsetu.sweep_outbox",
                                        "schedule": settings.sweep_interval_seconds}},
    )


@app.on_configure.connect  # type: ignore[untyped-decorator]
def _configure(sender: Celery, **_: Any) -> None:
    """Worker and beat processes configure from the environment when Celery first needs it."""
    configure(get_settings())


@cache
def worker_context() -> AppContext:
    """The worker process's context, built once."""
    return build_context(get_settings())


@app.task(name="nagarsetu.deliver_outbox")  # type: ignore[untyped-decorator]
def deliver_outbox(outbox_id: str) -> str:
    """Deliver one outbox row (idempotent: a claimed or finished row is skipped)."""
    return str(worker_context().deliver(outbox_id))


@app.task(name="nagarsetu.sweep_outbox")  # type: ignore[untyped-decorator]
def sweep_outbox() -> int:
    """Queue every due row: retries, and messages whose enqueue was lost."""
    ids = worker_context().due()
    for outbox_id in ids:
        deliver_outbox.delay(outbox_id)
    return len(ids)


class CeleryDispatcher:
    """Sends delivery tasks to the broker; if the broker is down, the sweeper catches up."""

    def __init__(self, settings: Settings) -> None:
        configure(settings)

    def enqueue(self, outbox_ids: Iterable[str]) -> None:
        """One task per row."""
        for outbox_id in outbox_ids:
            try:
                deliver_outbox.delay(outbox_id)
            except OperationalError:
                log.warning("broker unavailable; outbox %s left to the sweeper", outbox_id)
