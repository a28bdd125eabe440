"""Applying what the gateway says to attempts and bills: forward only, amounts checked.

States of an attempt and their order (a notice may only move one forward):

    open (0) ─► expired | cancelled (1) ─► captured | held (2) ─► refunded (3)

Money that arrives always counts (a payment captured on an expired link is still captured);
an expiry after a capture changes nothing. `held` is money taken that finance must look at
(short, excess, or a second payment for a bill already paid): it is flagged in
`payment_flags`, the bill is not settled by it and no receipt is issued.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from payments.bills.registry import BillRegistry
from payments.gateway import GatewayNotice, GatewayPayment, NoticeKind, PaymentState
from payments.models import OPEN, GatewayAccount, PaymentAttempt, PaymentFlag
from payments.refund_ledger import refund_moved
from services.db.base import aware, utcnow

RANK = {OPEN: 0, "expired": 1, "cancelled": 1, "captured": 2, "held": 2, "refunded": 3}
BillsFor = Callable[[Session, str], BillRegistry]


def below(rank: int) -> list[str]:
    """States an attempt may leave for a state of this rank."""
    return [state for state, value in RANK.items() if value < rank]


def flag(db: Session, *, tenant_id: str, kind: str, payment_id: str,
         attempt: PaymentAttempt | None = None, paid_paise: int | None = None) -> None:
    """Raise a finance flag once (unique on kind and payment id; a repeat is a no-op)."""
    exists = db.scalar(select(PaymentFlag.id).where(PaymentFlag.kind == kind,
                                                    PaymentFlag.external_payment_id == payment_id))
    if exists:
        return
    try:
        with db.begin_nested():
            db.add(PaymentFlag(tenant_id=tenant_id, kind=kind, external_payment_id=payment_id,
                               attempt_id=attempt.id if attempt else None,
                               bill_id=attempt.bill_id if attempt else None,
                               expected_paise=attempt.amount_paise if attempt else None,
                               paid_paise=paid_paise))
    except IntegrityError:
        pass  # a concurrent worker raised the same flag


def find_attempt(db: Session, account: GatewayAccount,
                 notice: GatewayNotice) -> PaymentAttempt | None:
    """The attempt a notice is about, by our id, else the link's or QR's id; only ever one
    of this account (another city's reference is not found)."""
    query = select(PaymentAttempt).where(PaymentAttempt.account_id == account.id)
    for column, value in ((PaymentAttempt.id, notice.attempt_id),
                          (PaymentAttempt.external_link_id, notice.link_id),
                          (PaymentAttempt.external_qr_id, notice.qr_id)):
        if value:
            found = db.scalar(query.where(column == value))
            if found is not None:
                return found
    return None


def _move(db: Session, attempt: PaymentAttempt, status: str, **values: object) -> bool:
    """Move forward by one conditional UPDATE (a concurrent or later move wins nothing)."""
    result = db.execute(update(PaymentAttempt).where(
        PaymentAttempt.id == attempt.id, PaymentAttempt.status.in_(below(RANK[status])))
        .values(status=status, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False))
    db.expire(attempt)
    return bool(getattr(result, "rowcount", 0))


def capture(db: Session, bills_for: BillsFor, attempt: PaymentAttempt,
            payment: GatewayPayment) -> str:
    """Record money taken for an attempt; the outcome code."""
    if payment.state not in (PaymentState.CAPTURED, PaymentState.REFUNDED):
        return "not_captured"
    if attempt.external_payment_id == payment.payment_id:
        return "duplicate"
    if RANK[attempt.status] >= RANK["captured"]:  # a second payment on one attempt
        flag(db, tenant_id=attempt.tenant_id, kind="duplicate_payment",
             payment_id=payment.payment_id, attempt=attempt, paid_paise=payment.amount_paise)
        return "duplicate_payment"
    fields = {"external_payment_id": payment.payment_id, "paid_paise": payment.amount_paise,
              "method": payment.method[:32], "captured_at": payment.paid_at or utcnow()}
    if payment.amount_paise != attempt.amount_paise:
        kind = "short_payment" if payment.amount_paise < attempt.amount_paise else (
            "excess_payment")
        if _move(db, attempt, "held", **fields):
            flag(db, tenant_id=attempt.tenant_id, kind=kind, payment_id=payment.payment_id,
                 attempt=attempt, paid_paise=payment.amount_paise)
            return kind
        return "duplicate"
    if not _move(db, attempt, "captured", **fields):
        return "duplicate"
    settled = bills_for(db, attempt.tenant_id).settle(
        attempt.bill_id, payment_ref=attempt.id, amount_paise=payment.amount_paise,
        paid_at=payment.paid_at or utcnow())
    if not settled:  # the bill was paid by another attempt meanwhile
        db.execute(update(PaymentAttempt).where(PaymentAttempt.id == attempt.id)
                   .values(status="held"))
        db.expire(attempt)
        flag(db, tenant_id=attempt.tenant_id, kind="duplicate_payment",
             payment_id=payment.payment_id, attempt=attempt, paid_paise=payment.amount_paise)
        return "duplicate_payment"
    _resolve_unmatched(db, payment.payment_id)
    return "captured"


def _resolve_unmatched(db: Session, payment_id: str) -> None:
    """A payment first seen without its attempt is matched now: its flag is resolved."""
    db.execute(update(PaymentFlag).where(PaymentFlag.kind == "unmatched_payment",
                                         PaymentFlag.external_payment_id == payment_id,
                                         PaymentFlag.resolved_at.is_(None))
               .values(resolved_at=utcnow()))


def refund(db: Session, attempt: PaymentAttempt, notice: GatewayNotice) -> str:
    """A refund processed: the refunded total (never less than known) and a finance flag."""
    if notice.payment is None or RANK[attempt.status] < RANK["captured"]:
        return "ignored"
    own = notice.payment.payment_id == attempt.external_payment_id
    total = max(attempt.refunded_paise or 0, notice.payment.refunded_paise)
    flag(db, tenant_id=attempt.tenant_id, kind="refund",
         payment_id=notice.refund_id or notice.payment.payment_id, attempt=attempt,
         paid_paise=notice.payment.refunded_paise if not own else total)
    if not own:  # a duplicate payment's refund: the attempt's own money is untouched
        return "refunded_other"
    if total >= (attempt.paid_paise or 0):
        _move(db, attempt, "refunded", refunded_paise=total)
    else:
        db.execute(update(PaymentAttempt).where(PaymentAttempt.id == attempt.id)
                   .values(refunded_paise=total))
        db.expire(attempt)
    return "refunded"


def apply_notice(db: Session, bills_for: BillsFor, account: GatewayAccount,
                 notice: GatewayNotice, now: datetime | None = None) -> str:
    """Apply one verified notice (in the caller's transaction); an outcome code."""
    now = now or utcnow()
    if notice.kind is NoticeKind.IGNORED:
        return "ignored"
    attempt = find_attempt(db, account, notice)
    if notice.kind in (NoticeKind.REFUNDED, NoticeKind.REFUND_FAILED):
        moved = refund_moved(db, account, notice)  # a refund finance asked for, if ours
        done = (refund(db, attempt, notice) if notice.kind is NoticeKind.REFUNDED
                and attempt is not None else None)
        return moved or done or ("unknown_attempt" if attempt is None else "ignored")
    if attempt is None:
        if notice.kind is NoticeKind.CAPTURED and notice.payment is not None:
            flag(db, tenant_id=account.tenant_id, kind="unmatched_payment",
                 payment_id=notice.payment.payment_id, paid_paise=notice.payment.amount_paise)
            return "unmatched_payment"
        return "unknown_attempt"
    if notice.kind is NoticeKind.CAPTURED and notice.payment is not None:
        return capture(db, bills_for, attempt, notice.payment)
    if notice.kind is NoticeKind.FAILED:
        return "failed_noted"  # the link and QR can still be paid until they expire
    if notice.kind is NoticeKind.CLOSED and attempt.expire_at and now < aware(attempt.expire_at):
        return "ignored"  # the QR closed early; the link still takes payment
    status = "cancelled" if notice.kind is NoticeKind.CANCELLED else "expired"
    return status if _move(db, attempt, status) else "stale"

