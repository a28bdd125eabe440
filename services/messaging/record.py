"""Ending an attempt: each result is written in its own short session, only if the claim holds.

A worker that lost its claim (it outlived the in-flight window and another worker took the row
over) writes nothing and reports SKIPPED; the new holder's result stands.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import case, update
from sqlalchemy.orm import Session, sessionmaker

from channels.contract import SendResult
from services.db.base import utcnow
from services.messaging.attempt import Clock, Code, DeliveryConfig, Outcome
from services.messaging.claims import Claim, fail_message, settle, settling
from services.messaging.models import Message, OutboxItem

log = logging.getLogger(__name__)

Sessions = sessionmaker[Session]


def sent(sessions: Sessions, claim: Claim, result: SendResult,
         autocommit: Sessions | None = None) -> Outcome:
    """The provider accepted it: keep its id (status callbacks find the message by it).
    `autocommit` (PostgreSQL): sessions outside a transaction, for the one statement that
    writes both rows (no BEGIN and COMMIT round trips around it)."""
    log_row = update(Message).values(
        # explicit: SQLAlchemy binds no `onupdate` default in an UPDATE that reads a CTE
        updated_at=utcnow(), external_id=result.external_id,
        # a status callback may already have moved it on
        status=case((Message.status == "pending", result.status.value), else_=Message.status))
    with (autocommit or sessions)() as db:
        if db.get_bind().dialect.name == "postgresql":  # both rows in one statement
            settled = settling(claim, status="sent", last_error=None).returning(
                OutboxItem.message_id).cte("settled")
            written = db.execute(log_row.where(Message.id == settled.c.message_id)
                                 .returning(Message.id)
                                 .execution_options(synchronize_session=False)).first()
            if written is None:
                return _lost(claim)
        else:
            if not settle(db, claim, status="sent", last_error=None):
                return _lost(claim)
            db.execute(log_row.where(Message.id == claim.message_id)
                       .execution_options(synchronize_session=False))
        db.commit()
    return Outcome.SENT


def failed(sessions: Sessions, claim: Claim, code: str) -> Outcome:
    """No retry can help (or none is left): the row and its message end failed with a code."""
    with sessions() as db:
        if not settle(db, claim, status="failed", last_error=code):
            return _lost(claim)
        fail_message(db, claim, code)
        db.commit()
    log.warning("delivery of outbox %s failed: %s (attempt %d)", claim.outbox_id, code,
                claim.attempts)
    return Outcome.FAILED


def retry(sessions: Sessions, claim: Claim, config: DeliveryConfig, now: Clock, code: str,
          delay: float) -> Outcome:
    """A retryable error: pending again after `delay`, or failed once the attempts are used."""
    if claim.attempts >= config.max_attempts:
        return failed(sessions, claim, code)
    with sessions() as db:
        if not settle(db, claim, status="pending", last_error=code,
                      next_attempt_at=now() + timedelta(seconds=delay)):
            return _lost(claim)
        db.commit()
    log.warning("delivery of outbox %s failed: %s (attempt %d of %d), retry in %.1f s",
                claim.outbox_id, code, claim.attempts, config.max_attempts, delay)
    return Outcome.RETRY


def throttled(sessions: Sessions, claim: Claim, config: DeliveryConfig, now: Clock, code: str,
              wait: float) -> Outcome:
    """Asked to wait: pending again after `wait`, giving the attempt back; failed
    (`throttled_too_long`) when that would pass the throttle deadline since queueing."""
    at = now() + timedelta(seconds=max(0.0, wait))
    if at - claim.created_at > timedelta(seconds=config.throttle_deadline_seconds):
        return failed(sessions, claim, Code.THROTTLED_TOO_LONG)
    with sessions() as db:
        if not settle(db, claim, status="pending", last_error=code, next_attempt_at=at,
                      attempts=OutboxItem.attempts - 1):
            return _lost(claim)
        db.commit()
    log.info("delivery of outbox %s throttled: %s, again in %.1f s", claim.outbox_id, code, wait)
    return Outcome.THROTTLED


def _lost(claim: Claim) -> Outcome:
    """Another worker took the row over while this one was sending: write nothing."""
    log.warning("delivery of outbox %s lost its claim to a takeover; result not recorded",
                claim.outbox_id)
    return Outcome.SKIPPED
