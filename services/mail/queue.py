"""The e-mail queue: queued in the caller's transaction, sent by the sweepers after commit.

Like the outbox: a claim is a conditional UPDATE (pending and due, or sending past the claim
window: a worker that died mid-send), SMTP is spoken with no database session open, and the
outcome is written only if the claim is still this one, so a slow worker cannot overwrite the
one that took over. A retryable failure waits a jittered backoff; after `email_max_attempts`
claims, or a final refusal, the row is `failed`. At most one message can be sent twice: the
one in flight when a worker dies after the server took it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from services.db.base import utcnow
from services.mail.models import FAILED, PENDING, SENDING, SENT, EmailItem
from services.mail.smtp import Mail, MailError, send
from services.messaging.backoff import retry_delay
from services.security.crypto import Crypto

if TYPE_CHECKING:
    from services.context import AppContext

CLAIM_SECONDS = 120.0
"""A claimed row is not taken again for this long."""


def queue_email(db: Session, crypto: Crypto, *, tenant_id: str, staff_id: str, to: str,
                subject: str, body: str, language: str) -> str:
    """Record an e-mail to send (in the caller's transaction); its id."""
    row = EmailItem(tenant_id=tenant_id, staff_id=staff_id, to_enc=crypto.encrypt(to),
                    subject_enc=crypto.encrypt(subject), body_enc=crypto.encrypt(body),
                    language=language)
    db.add(row)
    db.flush()
    return row.id


def _claim(ctx: AppContext, email_id: str, now: datetime) -> tuple[EmailItem, Mail] | None:
    """Take the row if it is due (counting an attempt); None when it is not ours."""
    stale = now - timedelta(seconds=CLAIM_SECONDS)
    with ctx.sessions() as db:
        taken = db.execute(update(EmailItem).where(
            EmailItem.id == email_id,
            or_((EmailItem.status == PENDING) & (EmailItem.next_attempt_at <= now),
                (EmailItem.status == SENDING) & (EmailItem.claimed_at <= stale)))
            .values(status=SENDING, claimed_at=now, attempts=EmailItem.attempts + 1))
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            db.rollback()
            return None
        db.commit()
        row = db.get_one(EmailItem, email_id)
        mail = Mail(ctx.crypto.decrypt(row.to_enc), ctx.crypto.decrypt(row.subject_enc),
                    ctx.crypto.decrypt(row.body_enc))
        db.expunge(row)
        return row, mail


def _finish(ctx: AppContext, email_id: str, claimed_at: datetime, **values: object) -> bool:
    """Write the outcome if the claim is still ours."""
    with ctx.sessions() as db:
        done = db.execute(update(EmailItem).where(
            EmailItem.id == email_id, EmailItem.status == SENDING,
            EmailItem.claimed_at == claimed_at).values(**values))
        db.commit()
        return bool(done.rowcount)  # type: ignore[attr-defined]


def deliver(ctx: AppContext, email_id: str) -> str | None:
    """Send one queued e-mail if it is due; its status afterwards (None: not claimed)."""
    now = utcnow()
    claimed = _claim(ctx, email_id, now)
    if claimed is None:
        return None
    row, mail = claimed
    try:
        send(ctx.settings, mail, row.id)
    except MailError as exc:
        if not exc.retryable or row.attempts >= ctx.settings.email_max_attempts:
            _finish(ctx, row.id, now, status=FAILED, error_code=exc.code)
            return FAILED
        wait = retry_delay(None, row.attempts)
        _finish(ctx, row.id, now, status=PENDING, error_code=exc.code,
                next_attempt_at=utcnow() + timedelta(seconds=wait))
        return PENDING
    _finish(ctx, row.id, now, status=SENT, error_code=None, sent_at=utcnow())
    return SENT


def due(ctx: AppContext, limit: int = 100) -> Sequence[str]:
    """Rows to try now: pending and due, or claimed by a worker that never finished."""
    now = utcnow()
    stale = now - timedelta(seconds=CLAIM_SECONDS)
    with ctx.sessions() as db:
        return db.scalars(select(EmailItem.id).where(
            or_((EmailItem.status == PENDING) & (EmailItem.next_attempt_at <= now),
                (EmailItem.status == SENDING) & (EmailItem.claimed_at <= stale)))
            .order_by(EmailItem.next_attempt_at).limit(limit)).all()


def sweep(ctx: AppContext) -> int:
    """Send whatever is due; how many were tried."""
    ids = due(ctx)
    for email_id in ids:
        deliver(ctx, email_id)
    return len(ids)
