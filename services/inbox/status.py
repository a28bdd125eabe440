"""Inbox row bookkeeping inside a turn's transaction, and on failure."""

from __future__ import annotations

import logging

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from services.db.base import utcnow
from services.inbox.models import InboxEvent

log = logging.getLogger(__name__)


def mark_done(db: Session, inbox_id: str) -> bool:
    """Mark a pending row done in the turn's transaction; False when it was already handled."""
    result = db.execute(update(InboxEvent)
                        .where(InboxEvent.id == inbox_id, InboxEvent.status == "pending")
                        .values(status="done", done_at=utcnow())
                        .execution_options(synchronize_session=False))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def record_failure(sessions: sessionmaker[Session], inbox_id: str, max_attempts: int) -> bool:
    """Count a failed turn (its own transaction); True when the row is now given up on."""
    with sessions() as db:
        row = db.get(InboxEvent, inbox_id)
        if row is None or row.status != "pending":
            return False
        row.attempts += 1
        failed = row.attempts >= max_attempts
        if failed:
            row.status, row.error_code, row.done_at = "failed", "internal_error", utcnow()
        db.commit()
    if failed:
        log.error("inbox %s given up after %d failed turns", inbox_id, max_attempts)
    return failed
