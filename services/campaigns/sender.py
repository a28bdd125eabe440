"""One chunk of a campaign: claim a batch, send it through the limiter, settle, repeat.

A chunk runs for at most `time_budget` seconds (far under the broker's visibility timeout), so
a task never holds work long and another sender picks up where it stopped. Before each batch
and every `control_seconds` during one it reads the campaign's state: a pause gives the unsent
rows of its batch back, a cancel or abort marks them cancelled, so either takes effect within
a second. Results are written every `settle_every` sends, which bounds what a killed sender
leaves in flight; a placed voice call's at once (its status comes within seconds). No
database session is open while a provider is called.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from channels.contract import DeliveryStatus, Medium, SendResult
from channels.errors import SendError, Throttled
from services.campaigns import finish
from services.campaigns.batch import Control, Flusher, give_back, refund, reserve
from services.campaigns.claims import Claimed, claim
from services.campaigns.fallback import next_step
from services.campaigns.models import Campaign
from services.campaigns.prepare import Ready, prepare
from services.campaigns.schedule import may_send
from services.campaigns.spec import Status
from services.campaigns.templating import Templates
from services.db.base import utcnow
from services.messaging.backoff import SYSTEM_RANDOM, Uniform, retry_delay
from services.ratelimit import RateLimiter
from services.security.crypto import Crypto
from services.templates.errors import TemplateError

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
Sleep = Callable[[float], None]


class Stop(StrEnum):
    """Why a chunk ended."""

    BUDGET = "budget"
    """Its time was up with work left: hand on to another chunk."""
    EMPTY = "empty"
    """Nothing due now (maybe later: retries, fallbacks)."""
    PAUSED = "paused"
    STOPPED = "stopped"
    """Cancelled, aborted or done."""
    QUIET = "quiet"
    """Quiet hours for the campaign's purpose."""
    CAPPED = "capped"
    """The city's daily spend cap."""


@dataclass(frozen=True)
class SendConfig:
    """How a chunk sends."""

    base_url: str
    prices: dict[str, int] = field(default_factory=dict)
    daily_cap_paise: int = 5_000_000
    inflight_seconds: float = 60.0
    batch: int = 32
    settle_every: int = 32
    senders: int = 8
    """Sends of one chunk in flight at once (threads: the work is waiting on the provider)."""
    time_budget: float = 20.0
    control_seconds: float = 0.25
    max_wait: float = 1.0
    """A limiter wait up to this long is slept through; a longer one gives the row back."""
    max_attempts: int = 5


@dataclass
class Chunk:
    """What one chunk did."""

    sent: int = 0
    failed: int = 0
    stop: Stop = Stop.EMPTY


def run_chunk(sessions: sessionmaker[Session], crypto: Crypto, limiter: RateLimiter,
              config: SendConfig, campaign_id: str, *, test: bool = False,
              now: Clock = utcnow, sleep: Sleep = time.sleep,
              rng: Uniform = SYSTEM_RANDOM) -> Chunk:
    """Send the campaign's due rows until the budget is spent, nothing is due or it stops."""
    control = Control(sessions, campaign_id, config.control_seconds)
    flush = Flusher(sessions, campaign_id, now)
    pool = (ThreadPoolExecutor(config.senders, thread_name_prefix="campaign-send")
            if config.senders > 1 else None)
    ends = time.monotonic() + config.time_budget
    done = Chunk()
    templates: Templates | None = None
    while True:
        if time.monotonic() >= ends:
            done.stop = Stop.BUDGET
            break
        status = control.current(force=True)
        if not test and status != Status.RUNNING:
            done.stop = Stop.PAUSED if status == Status.PAUSED else Stop.STOPPED
            break
        with sessions() as db:
            campaign = db.get_one(Campaign, campaign_id)
            if not test and not may_send(campaign.purpose, now()):
                done.stop = Stop.QUIET
                break
            batch = claim(db, campaign_id, now(), config.inflight_seconds, config.batch,
                          test=test)
            if not batch:
                break
            templates = templates or Templates(campaign.template_key)
            ready = prepare(db, crypto, campaign, batch, base_url=config.base_url,
                            prices=config.prices, templates=templates)
            steps, tenant_id = len(campaign.steps), campaign.tenant_id
        stop = _send_batch(sessions, flush, limiter, config, control, ready, steps, tenant_id,
                           done, pool, test=test, now=now, sleep=sleep, rng=rng)
        if stop is not None:
            done.stop = stop
            break
    if pool is not None:
        pool.shutdown(wait=True)
    if not test and done.stop in (Stop.EMPTY, Stop.STOPPED):
        with sessions() as db:
            finish.maybe_finish(db, campaign_id, now())
    return done


def _send_batch(sessions: sessionmaker[Session], flush: Flusher, limiter: RateLimiter,
                config: SendConfig, control: Control, ready: list[Ready], steps: int,
                tenant_id: str, done: Chunk, pool: ThreadPoolExecutor | None,
                *, test: bool, now: Clock, sleep: Sleep, rng: Uniform) -> Stop | None:
    """Send one prepared batch (`config.senders` at a time, so provider and limiter round
    trips overlap); why the chunk must stop, or None to go on."""
    results: list[tuple[Claimed, dict[str, Any]]] = []
    charge = reserve(sessions, config.daily_cap_paise, ready, tenant_id, now)
    if charge is False:
        give_back(flush, ready, now, wait=300.0)
        return Stop.CAPPED
    halted: list[str] = []

    def one(item: Ready) -> dict[str, Any]:
        status = control.current()
        if not test and status != Status.RUNNING:  # paused, cancelled, aborted meanwhile
            halted.append(status)
            outcome = ({"status": "pending", "claimed_at": None}
                       if status == Status.PAUSED else {"status": "cancelled"})
            return {**outcome, "attempts": item.held.attempts - 1}
        return _one(limiter, config, item, steps, now, sleep, rng)

    unsent = 0
    outcomes = pool.map(one, ready) if pool is not None else map(one, ready)
    for item, values in zip(ready, outcomes, strict=True):
        if values.get("status") not in ("sent", "delivered", "read", "failed"):
            unsent += item.price_paise
        if values.get("status") in ("sent", "delivered", "read"):
            done.sent += 1
        elif values.get("status") == "failed":
            done.failed += 1
        results.append((item.held, values))
        if len(results) >= config.settle_every or _placed_call(item, values):
            flush(results)
    flush(results)
    refund(sessions, charge, unsent)
    if halted:
        return Stop.PAUSED if halted[0] == Status.PAUSED else Stop.STOPPED
    return None


def _placed_call(item: Ready, values: dict[str, Any]) -> bool:
    """A call just placed: its id is written at once, before the citizen answers (the
    status callbacks find the row by it)."""
    return (values.get("status") == "sent" and item.adapter is not None
            and item.adapter.medium is Medium.VOICE)


def _one(limiter: RateLimiter, config: SendConfig, item: Ready, steps: int, now: Clock,
         sleep: Sleep, rng: Uniform) -> dict[str, Any]:
    """Send one row; the columns its result sets."""
    held = item.held
    if item.skip:
        return {"status": "skipped", "error": item.skip}
    if item.error is not None or item.adapter is None or item.message is None:
        return _failure(held, item, steps, _code(item.error))
    wait = _acquire(limiter, item, config, sleep)
    if wait > 0:
        return {"status": "pending", "attempts": held.attempts - 1, "error": "rate_limited",
                "due_at": now() + timedelta(seconds=wait), "claimed_at": None}
    try:
        result = item.adapter.send(item.message, item.callback)
    except Throttled as exc:
        delay = retry_delay(exc.retry_after, held.attempts, rng)
        return {"status": "pending", "attempts": held.attempts - 1, "error": exc.code,
                "due_at": now() + timedelta(seconds=delay), "claimed_at": None}
    except SendError as exc:
        if exc.retryable and held.attempts < config.max_attempts:
            delay = retry_delay(exc.retry_after, held.attempts, rng)
            return {"status": "pending", "error": exc.code, "claimed_at": None,
                    "due_at": now() + timedelta(seconds=delay)}
        return _failure(held, item, steps, exc.code)
    except Exception as exc:  # noqa: BLE001 - every claimed row ends; logged by type only
        log.error("campaign send of row %s raised %s", held.id, type(exc).__name__)
        return _failure(held, item, steps, "internal_error")
    return _sent(item, result, now())


def _sent(item: Ready, result: SendResult, at: datetime) -> dict[str, Any]:
    """The columns of an accepted send."""
    status = result.status.value if result.status in (
        DeliveryStatus.DELIVERED, DeliveryStatus.READ) else "sent"
    return {"status": status, "external_id": result.external_id, "account_id": item.account_id,
            "sent_at": at, "error": None}


def _failure(held: Claimed, item: Ready, steps: int, code: str) -> dict[str, Any]:
    """Failed on this channel: the next step when there is one, else failed for good."""
    following = next_step(held.step, steps)
    if following is not None:
        return {"status": "pending", "step": following, "fallen_back": True, "error": code,
                "claimed_at": None, "due_at": None, "external_id": None}
    return {"status": "failed", "error": code, "account_id": item.account_id}


def _code(error: Exception | None) -> str:
    """The stable code of what stopped a row being built."""
    if isinstance(error, SendError | TemplateError):
        return error.code
    code = getattr(error, "code", None)
    return code if isinstance(code, str) else "internal_error"


def _acquire(limiter: RateLimiter, item: Ready, config: SendConfig, sleep: Sleep) -> float:
    """Take a unit from every bucket, sleeping through short waits; a long wait is returned."""
    for bucket in item.buckets:
        while True:
            try:
                wait = limiter.acquire(bucket.key, bucket.limit)
            except Exception as exc:  # noqa: BLE001 - never send unmetered
                log.warning("campaign limiter unavailable (%s)", type(exc).__name__)
                return config.max_wait * 5
            if wait <= 0:
                break
            if wait > config.max_wait:
                return wait
            sleep(wait)
    return 0.0
