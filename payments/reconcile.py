"""The safety net: ask the gateway about attempts the webhooks have not settled.

`check_pending` (every 15 minutes: Celery beat `nagarsetu.payments_check`, or the embedded
sweeper) fetches every attempt still open 15 minutes after it was made, checked at most once
per 15 minutes, up to two days old; `sweep_daily` (`nagarsetu.payments_sweep`) takes the rest:
open attempts of any age and those expired or cancelled in the last week (a payment can land
after its link expired). Each also finishes captured attempts left without a receipt and
re-applies webhook events that were recorded but never handled (a lost enqueue, a crash).
A payment found is applied exactly as its webhook would have been.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from payments.accounts import gateway_for
from payments.events import finish_receipt, handle_event
from payments.gateway import GatewayError, GatewayNotice, NoticeKind
from payments.ledger import BillsFor, apply_notice
from payments.models import OPEN, GatewayAccount, PaymentAttempt, PaymentEvent
from payments.receipting import Queued, ReceiptNotifier, no_notice
from payments.refunds import retry_unanswered
from services.db.base import aware, utcnow
from services.security.crypto import Crypto

log = logging.getLogger(__name__)
PENDING_AFTER = timedelta(minutes=15)
RECENT = timedelta(days=2)
LATE_CAPTURE = timedelta(days=7)
EVENT_STALE = timedelta(seconds=60)


@dataclass
class SweepResult:
    """What a run of the safety net did."""

    checked: int = 0
    captured: int = 0
    expired: int = 0
    receipts: int = 0
    events: int = 0
    queued: list[tuple[str, object]] | None = None


def _check(sessions: sessionmaker[Session], crypto: Crypto, bills_for: BillsFor,
           attempt_id: str, now: datetime, result: SweepResult) -> None:
    """Fetch one attempt's payments from the gateway and apply them; expire it when due."""
    with sessions() as db:
        attempt = db.get(PaymentAttempt, attempt_id)
        account = db.get(GatewayAccount, attempt.account_id) if attempt else None
        if attempt is None or account is None:
            return
        gateway, link_id, qr_id = gateway_for(crypto, account), attempt.external_link_id, (
            attempt.external_qr_id)
        expire_at = aware(attempt.expire_at)
    try:
        payments = gateway.payments_for(link_id, qr_id) if (link_id or qr_id) else []
    except GatewayError as exc:
        log.warning("payment check of %s failed: %s", attempt_id, exc.code)
        return
    result.checked += 1
    with sessions() as db:
        account = db.get(GatewayAccount, account.id)
        assert account is not None
        for payment in payments:
            notice = GatewayNotice("reconcile", NoticeKind.CAPTURED, attempt_id=attempt_id,
                                   payment=payment)
            if apply_notice(db, bills_for, account, notice, now) == "captured":
                result.captured += 1
        attempt = db.get(PaymentAttempt, attempt_id)
        if attempt is not None and attempt.status == OPEN and expire_at <= now:
            attempt.status, attempt.updated_at = "expired", now
            result.expired += 1
        db.execute(update(PaymentAttempt).where(PaymentAttempt.id == attempt_id)
                   .values(checked_at=now))
        db.commit()


def _finish(sessions: sessionmaker[Session], crypto: Crypto, bills_for: BillsFor,
            notify: ReceiptNotifier, now: datetime, result: SweepResult) -> Queued:
    """Receipts of captured attempts that lack one; recorded events never handled."""
    queued: list[tuple[str, object]] = []
    with sessions() as db:
        attempts = list(db.scalars(select(PaymentAttempt.id).where(
            PaymentAttempt.status == "captured", PaymentAttempt.receipt_number.is_(None))))
        events = list(db.scalars(select(PaymentEvent.id).where(
            PaymentEvent.status == "pending", PaymentEvent.received_at < now - EVENT_STALE)))
    for event_id in events:
        try:
            _, more = handle_event(sessions, crypto, bills_for, event_id, notify)
        except Exception as exc:  # noqa: BLE001  counted on the row; the next run retries
            log.error("payment event %s failed again: %s", event_id, type(exc).__name__)
            continue
        queued += more
        result.events += 1
    for attempt_id in attempts:
        try:
            more = finish_receipt(sessions, bills_for, attempt_id, notify)
        except Exception as exc:  # noqa: BLE001  one bad receipt must not stop the others
            log.error("receipt of %s failed: %s", attempt_id, type(exc).__name__)
            continue
        result.receipts += 1 if more is not None else 0
        queued += more
    return queued  # type: ignore[return-value]


def _run(sessions: sessionmaker[Session], crypto: Crypto, bills_for: BillsFor,
         ids: Sequence[str], notify: ReceiptNotifier, now: datetime) -> SweepResult:
    """Check these attempts, then finish receipts and events."""
    result = SweepResult()
    for attempt_id in ids:
        _check(sessions, crypto, bills_for, attempt_id, now, result)
    result.queued = list(_finish(sessions, crypto, bills_for, notify, now, result))
    retry_unanswered(sessions, crypto, now=now)  # refunds whose gateway answer was lost
    return result


def check_pending(sessions: sessionmaker[Session], crypto: Crypto, bills_for: BillsFor, *,
                  notify: ReceiptNotifier = no_notice, now: datetime | None = None,
                  limit: int = 500) -> SweepResult:
    """The 15-minute job: open attempts older than 15 minutes (up to two days), each checked
    at most every 15 minutes."""
    now = now or utcnow()
    with sessions() as db:
        ids = list(db.scalars(select(PaymentAttempt.id).where(
            PaymentAttempt.status == OPEN, PaymentAttempt.created_at <= now - PENDING_AFTER,
            PaymentAttempt.created_at > now - RECENT,
            or_(PaymentAttempt.checked_at.is_(None),
                PaymentAttempt.checked_at <= now - PENDING_AFTER))
            .order_by(PaymentAttempt.created_at).limit(limit)))
    return _run(sessions, crypto, bills_for, ids, notify, now)


def sweep_daily(sessions: sessionmaker[Session], crypto: Crypto, bills_for: BillsFor, *,
                notify: ReceiptNotifier = no_notice,
                now: datetime | None = None) -> SweepResult:
    """The daily job: every open attempt, and those closed in the last week."""
    now = now or utcnow()
    with sessions() as db:
        ids = list(db.scalars(select(PaymentAttempt.id).where(or_(
            PaymentAttempt.status == OPEN,
            (PaymentAttempt.status.in_(("expired", "cancelled")))
            & (PaymentAttempt.updated_at > now - LATE_CAPTURE)))
            .order_by(PaymentAttempt.created_at)))
    return _run(sessions, crypto, bills_for, ids, notify, now)
