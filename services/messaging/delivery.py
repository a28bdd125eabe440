"""Delivering one outbox row: claim, load, ask the limiter, send, record — always to an end.

1. One short session claims the row (an attempt) and loads everything the send needs; it is
   closed before the provider is called.
2. The global rate limiter is asked for the recipient's and the account's buckets; a refusal
   reschedules the row for when a unit is free, giving the attempt back. A paid send then
   reserves its price against the city's daily spend cap (services.messaging.spend); a refusal
   holds it the same way, asking again every few minutes, and a send that raises gives its
   reservation back.
3. The adapter sends with no session open. Its result is written in a new short session, only
   if this worker still holds the claim: sent; a throttle (no attempt used) or a retryable
   error (jittered backoff, or the provider's Retry-After) back to pending; anything else failed
   with a code. An exception outside the closed error set fails the row `internal_error` rather
   than leaving it in flight to be claimed forever.

A claim older than the in-flight window is taken over (the only case where a message can go
out twice); a row claimed `max_attempts` times without a result fails `attempts_exhausted`.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Sequence

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from channels.errors import SendError, Throttled
from services.db.base import utcnow
from services.messaging import record, spend
from services.messaging.attempt import Clock, Code, DeliveryConfig, Outcome
from services.messaging.backoff import SYSTEM_RANDOM, Uniform, backoff, retry_delay
from services.messaging.claims import Claim, take
from services.messaging.due import DueRow, due
from services.messaging.prepare import Bucket, Job, load_job
from services.ratelimit import RateLimiter, Unlimited
from services.security.crypto import Crypto
from services.templates.errors import TemplateError

__all__ = ["DeliveryConfig", "DueRow", "Outcome", "deliver", "due"]

log = logging.getLogger(__name__)

UNLIMITED = Unlimited()


def deliver(sessions: sessionmaker[Session], crypto: Crypto, config: DeliveryConfig,
            outbox_id: str, *, limiter: RateLimiter = UNLIMITED, now: Clock = utcnow,
            rng: Uniform = SYSTEM_RANDOM,
            autocommit: sessionmaker[Session] | None = None) -> Outcome:
    """Try to deliver one outbox row; safe to call any number of times (`autocommit`: the
    database's sessions outside a transaction, for single-statement writes)."""
    with sessions() as db:  # claim, load, limiter, reservation: one transaction, one commit
        claim = take(db, outbox_id, now(), config.inflight_seconds, commit=False)
        if claim is None:
            return Outcome.SKIPPED
        if claim.attempts > config.max_attempts:  # only takeovers get here: workers died
            db.commit()
            return record.failed(sessions, claim, Code.ATTEMPTS_EXHAUSTED)
        loaded = _load(db, crypto, config, claim, now)
        if isinstance(loaded, Exception):
            kept = _keep_claim(db, sessions, claim, now, config)
            if kept is None:
                return Outcome.SKIPPED
            return _ended_by(sessions, kept, config, now, rng, loaded)
        try:
            wait = _acquire(limiter, loaded.buckets)
        except Exception as exc:  # noqa: BLE001 - never send unmetered; ask again later
            db.commit()
            log.warning("outbox %s: rate limiter unavailable (%s)", claim.outbox_id,
                        type(exc).__name__)
            return record.throttled(sessions, claim, config, now, Code.LIMITER_UNAVAILABLE,
                                    backoff(claim.attempts, rng))
        if wait > 0:
            db.commit()
            return record.throttled(sessions, claim, config, now, Code.RATE_LIMITED, wait)
        charge = None
        if loaded.price_paise:  # commits the claim with the reservation
            charge = spend.reserve(db, loaded.tenant_id, loaded.price_paise, now(),
                                   config.daily_cap_paise, cap=loaded.cap_paise)
            if charge is None:
                wait = min(config.cap_recheck_seconds, spend.until_next_day(now()))
                return record.throttled(sessions, claim, config, now, Code.SPEND_CAP, wait)
        else:
            db.commit()
    try:
        result = loaded.adapter.send(loaded.message, loaded.callback)
    except Exception as exc:  # noqa: BLE001 - every attempt ends its claim
        if charge is not None:  # it did not go out: nothing was spent
            with sessions() as db:
                spend.release(db, charge)
        return _ended_by(sessions, claim, config, now, rng, exc)
    return record.sent(sessions, claim, result, autocommit)


def _keep_claim(db: Session, sessions: sessionmaker[Session], claim: Claim, now: Clock,
                config: DeliveryConfig) -> Claim | None:
    """Commit the claim although the send could not be built, so that its end is recorded
    (a refused template fails the row rather than being claimed again and again). A database
    error while loading left the transaction unusable: the row is claimed again in a
    transaction of its own (None: another worker has it now)."""
    try:
        db.commit()
        return claim
    except SQLAlchemyError:
        db.rollback()
    with sessions() as again:
        return take(again, claim.outbox_id, now(), config.inflight_seconds)


def _load(db: Session, crypto: Crypto, config: DeliveryConfig, claim: Claim,
          now: Clock) -> Job | Exception:
    """The send, or what stopped it being built (a template refusal, a broken config …)."""
    try:
        return load_job(db, crypto, config, claim, now())
    except Exception as exc:  # noqa: BLE001 - recorded by the caller, in a new session
        return exc


def _acquire(limiter: RateLimiter, buckets: Sequence[Bucket]) -> float:
    """0.0 when every bucket granted a unit, else the first refusal's wait in seconds."""
    for bucket in buckets:
        wait = limiter.acquire(bucket.key, bucket.limit)
        if wait > 0:
            return wait
    return 0.0


def _ended_by(sessions: sessionmaker[Session], claim: Claim, config: DeliveryConfig,
              now: Clock, rng: Uniform, exc: Exception) -> Outcome:
    """Record an attempt that raised: throttled, retry, failed with its code, or internal."""
    if isinstance(exc, Throttled):
        wait = retry_delay(exc.retry_after, claim.attempts, rng)
        return record.throttled(sessions, claim, config, now, exc.code, wait)
    if isinstance(exc, SendError | TemplateError):
        if isinstance(exc, TemplateError):  # the detail names the reply key, no personal data
            log.warning("outbox %s refused before sending: %s (%s)", claim.outbox_id, exc.code,
                        exc.detail)
        if exc.retryable:
            delay = retry_delay(exc.retry_after, claim.attempts, rng)
            return record.retry(sessions, claim, config, now, exc.code, delay)
        return record.failed(sessions, claim, exc.code)
    # Only the type and the code's own frames: the exception's text may hold the message or
    # the number, which never reach a log.
    log.error("delivery of outbox %s raised %s (%s); failing it\n%s", claim.outbox_id,
              type(exc).__name__, Code.INTERNAL_ERROR,
              "".join(traceback.format_tb(exc.__traceback__)).rstrip())
    return record.failed(sessions, claim, Code.INTERNAL_ERROR)
