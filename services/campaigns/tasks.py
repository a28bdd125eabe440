"""Celery tasks of campaigns, on the bulk queue (registered through the app's `imports`).

`nagarsetu.campaign_chunk` is idempotent (every row is claimed in the database), so it is
acknowledged late and rejected back to the queue when its worker process is lost: a redelivery
re-sends nothing that was settled. It carries only the campaign id, never recipients, and has
no ETA or countdown (a scheduled campaign is started by the tick), so Redis's visibility
timeout never redelivers a task that is merely waiting. `nagarsetu.campaigns_tick` runs on beat.
"""

from __future__ import annotations

import logging

from services.campaigns.runner import run_and_hand_on, send_config, tick
from services.messaging.lanes import Lane
from services.tasks.celery_app import PUBLISH_ERRORS, app, worker_context

log = logging.getLogger(__name__)


class CeleryRunner:
    """Chunks as tasks on the bulk queue; a broker outage is left to the tick."""

    def chunks(self, campaign_id: str, count: int, *, test: bool = False) -> None:
        """Publish `count` chunk tasks (no retry: the tick publishes again later)."""
        for _ in range(count):
            try:
                campaign_chunk.apply_async((campaign_id, test), queue=Lane.BULK.queue,
                                           retry=False)
            except PUBLISH_ERRORS as exc:
                log.warning("broker unavailable (%s); campaign left to the tick",
                            type(exc).__name__)
                return


@app.task(name="nagarsetu.campaign_chunk", acks_late=True,  # type: ignore[untyped-decorator]
          reject_on_worker_lost=True)
def campaign_chunk(campaign_id: str, test: bool = False) -> str:
    """Send one chunk of a campaign (idempotent: rows are claimed in the database)."""
    ctx = worker_context()
    done = run_and_hand_on(ctx.sessions, ctx.crypto, ctx.limiter, send_config(ctx.settings),
                           CeleryRunner(), campaign_id, test)
    return f"{done.stop}:{done.sent}"


@app.task(name="nagarsetu.campaigns_tick")  # type: ignore[untyped-decorator]
def campaigns_tick() -> int:
    """Start due campaigns, revive stalled ones, fall back, finish (idempotent)."""
    ctx = worker_context()
    return tick(ctx.sessions, CeleryRunner(), parallel=ctx.settings.campaign_parallel,
                stall_seconds=ctx.settings.campaign_stall_seconds)
