"""Outbox claims: taking a due row, and writing an attempt's result only while the claim holds.

A claim is a conditional UPDATE (pending and due, or in flight longer than the window), so two
workers never send a row at once; it counts one attempt, so a row whose worker dies every time
still runs out of attempts. The claim time, as stored, is the claim's token: a result is
written only where `status = 'sending'` and `claimed_at` still equals it, so a worker whose claim
was taken over (it outlived the in-flight window) cannot overwrite the new holder's result.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Update, and_, or_, update
from sqlalchemy.orm import Session

from services.db.base import aware
from services.db.engine import relax_commit
from services.messaging.models import Message, OutboxItem


@dataclass(frozen=True)
class Claim:
    """One worker's hold on an outbox row."""

    outbox_id: str
    message_id: str
    claimed_at: datetime
    """As the database returned it: the token every conditional write compares with."""
    attempts: int
    """Attempts including this one."""
    created_at: datetime
    """When the row was queued (timezone-aware), for the throttle deadline."""


def take(db: Session, outbox_id: str, now: datetime, inflight_seconds: int, *,
         commit: bool = True) -> Claim | None:
    """Atomically claim a due row and commit (or leave the commit to the caller, who holds
    the row's lock until then); None when another worker has it or it is done."""
    stale = now - timedelta(seconds=inflight_seconds)
    relax_commit(db)
    row = db.execute(
        update(OutboxItem)
        .where(OutboxItem.id == outbox_id, or_(
            and_(OutboxItem.status == "pending", OutboxItem.next_attempt_at <= now),
            and_(OutboxItem.status == "sending", OutboxItem.claimed_at < stale)))
        .values(status="sending", claimed_at=now, attempts=OutboxItem.attempts + 1)
        .returning(OutboxItem.message_id, OutboxItem.claimed_at, OutboxItem.attempts,
                   OutboxItem.created_at)
        .execution_options(synchronize_session=False)).first()
    if commit:
        db.commit()
    if row is None:
        return None
    message_id, claimed_at, attempts, created_at = row
    assert claimed_at is not None
    return Claim(outbox_id, message_id, claimed_at, attempts, aware(created_at))


def settling(claim: Claim, **values: Any) -> Update:
    """The UPDATE writing the outbox row's new state if the claim still holds."""
    return (update(OutboxItem)
            .where(OutboxItem.id == claim.outbox_id, OutboxItem.status == "sending",
                   OutboxItem.claimed_at == claim.claimed_at)
            .values(**values))


def settle(db: Session, claim: Claim, **values: Any) -> bool:
    """Write the outbox row's new state if the claim still holds (the caller commits)."""
    result = db.execute(settling(claim, **values).execution_options(synchronize_session=False))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def fail_message(db: Session, claim: Claim, code: str) -> None:
    """Mark the claim's message failed with a code (after `settle` said the claim holds)."""
    db.execute(update(Message).where(Message.id == claim.message_id)
               .values(status="failed", error_code=code)
               .execution_options(synchronize_session=False))
