"""Running campaigns: chunks handed to whatever runs them, and the tick that keeps them moving.

A `Runner` sends a campaign's chunks somewhere: Celery's bulk queue in production
(services.campaigns.tasks), a small thread pool embedded. Only the campaign id travels; the
rows stay in the database. The tick (beat, or the embedded sweeper) starts scheduled campaigns
whose time has come, moves overdue sends to their fallback, gives a running campaign new chunks
when its senders stopped writing (a killed worker, a lost task after a Redis restart) or when
sends fell back, and marks finished campaigns done.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from services.audit.record import record
from services.campaigns import fallback, finish
from services.campaigns.models import Campaign
from services.campaigns.schedule import may_send
from services.campaigns.sender import Chunk, SendConfig, Stop, run_chunk
from services.campaigns.spec import Status
from services.db.base import aware, utcnow
from services.messaging.prices import price_table
from services.ratelimit import RateLimiter
from services.security.crypto import Crypto
from services.settings import Settings

log = logging.getLogger(__name__)


class Runner(Protocol):
    """Runs chunks of a campaign somewhere (never in the caller's request)."""

    def chunks(self, campaign_id: str, count: int, *, test: bool = False) -> None:
        """Arrange for `count` chunks of the campaign to run."""


def send_config(settings: Settings) -> SendConfig:
    """How chunks send, from settings."""
    return SendConfig(settings.base_url, prices=price_table(settings.send_prices_paise),
                      daily_cap_paise=settings.daily_spend_cap_paise,
                      inflight_seconds=settings.campaign_inflight_seconds,
                      time_budget=settings.campaign_chunk_seconds)


def run_and_hand_on(sessions: sessionmaker[Session], crypto: Crypto, limiter: RateLimiter,
                    config: SendConfig, runner: Runner, campaign_id: str,
                    test: bool = False) -> Chunk:
    """One chunk; when its time ran out with work left, the next chunk is queued."""
    done = run_chunk(sessions, crypto, limiter, config, campaign_id, test=test)
    if done.stop is Stop.BUDGET:
        runner.chunks(campaign_id, 1, test=test)
    return done


def tick(sessions: sessionmaker[Session], runner: Runner, *, parallel: int,
         stall_seconds: float, now: datetime | None = None) -> int:
    """Start, revive, fall back and finish campaigns; how many got new chunks."""
    moment = now or utcnow()
    revived = 0
    with sessions() as db:
        for campaign in db.scalars(select(Campaign).where(
                Campaign.status == Status.SCHEDULED.value,
                Campaign.scheduled_at.is_not(None), Campaign.scheduled_at <= moment)):
            result = db.execute(update(Campaign).where(
                Campaign.id == campaign.id, Campaign.status == Status.SCHEDULED.value)
                .values(status=Status.RUNNING.value, started_at=moment, progress_at=None)
                .execution_options(synchronize_session=False))
            if result.rowcount:  # type: ignore[attr-defined]
                record(db, tenant_id=campaign.tenant_id, actor="schedule", entity="campaign",
                       key=campaign.id, action="start", before={"status": "scheduled"},
                       after={"status": "running"})
        db.commit()
        stalled = moment - timedelta(seconds=stall_seconds)
        running = db.scalars(select(Campaign).where(
            Campaign.status == Status.RUNNING.value)).all()
        for campaign in running:
            moved = fallback.overdue(db, campaign, moment)
            db.commit()
            if not finish.open_rows(db, campaign, moment):
                finish.maybe_finish(db, campaign.id, moment)
                continue
            quiet = (campaign.progress_at is not None and aware(campaign.progress_at) >= stalled
                     and not moved)
            if quiet or not may_send(campaign.purpose, moment):
                continue
            db.execute(update(Campaign).where(Campaign.id == campaign.id)
                       .values(progress_at=moment)
                       .execution_options(synchronize_session=False))
            db.commit()
            runner.chunks(campaign.id, parallel)
            revived += 1
    return revived


class ThreadRunner:
    """Embedded: chunks on a small thread pool of this process."""

    def __init__(self, work: Callable[[str, bool], object], workers: int = 4) -> None:
        self.work = work
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="campaign")

    def chunks(self, campaign_id: str, count: int, *, test: bool = False) -> None:
        """Submit the chunks to the pool."""
        for _ in range(count):
            self.pool.submit(self._safe, campaign_id, test)

    def _safe(self, campaign_id: str, test: bool) -> None:
        """Run one chunk; a crash is logged (the tick revives the campaign)."""
        try:
            self.work(campaign_id, test)
        except Exception as exc:  # noqa: BLE001 - a background thread must survive any bug
            log.error("campaign chunk %s crashed: %s", campaign_id, type(exc).__name__)

    def close(self) -> None:
        """Wait for running chunks."""
        self.pool.shutdown(wait=True)
