"""Refunds a finance officer asks for: an excess or a duplicate payment given back, once.

`request_refund` checks the payment is one finance was told about (a `payment_flags` row of
kind `excess_payment` or `duplicate_payment` in the officer's city), the amount (at most the
excess, or the whole duplicate, less what was refunded already) and the note; it commits a
`payment_refunds` row (audited in the same transaction) before the gateway is called, then
calls it with no transaction open, `X-Refund-Idempotency` set to the row's key. A request
for a payment whose refund is still `requested` (the gateway's answer was lost) re-sends that
row — same key, same body — so a retry never refunds twice, and the ledger's limit refuses a
second refund of money already given back. `refund.processed` / `refund.failed` move the
row forward (payments/refund_ledger.py); `tell_citizen` then queues the citizen's message.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bots.prompts import Localized, Msg
from i18n import LANGUAGES, format_money
from payments.accounts import gateway_for
from payments.gateway import GatewayError
from payments.models import Bill, GatewayAccount, PaymentAttempt, PaymentFlag
from payments.receipting import Queued
from payments.refund_ledger import move
from payments.refund_models import PaymentRefund
from services.audit.record import record
from services.db.base import utcnow
from services.messaging.lanes import Lane
from services.security.crypto import Crypto

log = logging.getLogger(__name__)
REASONS = ("excess_payment", "duplicate_payment")
RETRY_AFTER = timedelta(minutes=2)
MAX_NOTE = 500


class RefundError(Exception):
    """A refund refused (`not_refundable`, `note_required`, `exceeds_refundable`,
    `gateway_unavailable`, `refused_by_gateway`, `not_found`)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class RefundView:
    """A refund as staff see it."""

    id: str
    tenant_id: str
    payment_id: str
    reason: str
    amount_paise: int
    status: str
    note: str
    external_refund_id: str | None
    created_at: datetime


def view_of(row: PaymentRefund) -> RefundView:
    """The row as shown."""
    return RefundView(row.id, row.tenant_id, row.external_payment_id, row.reason,
                      row.amount_paise, row.status, row.note, row.external_refund_id,
                      row.created_at)


def _limit(flag: PaymentFlag) -> int:
    """The most that may go back for this flag: the excess, or the whole duplicate."""
    paid = flag.paid_paise or 0
    return paid - (flag.expected_paise or 0) if flag.kind == "excess_payment" else paid


def request_refund(sessions: sessionmaker[Session], crypto: Crypto, *, tenant_id: str,
                   payment_id: str, note: str, actor: str,
                   amount_paise: int | None = None) -> RefundView:
    """Refund an excess or duplicate payment (or re-send the one still unanswered)."""
    note = note.strip()
    if not note or len(note) > MAX_NOTE:
        raise RefundError("note_required")
    with sessions() as db:
        flag = db.scalar(select(PaymentFlag).where(
            PaymentFlag.tenant_id == tenant_id, PaymentFlag.external_payment_id == payment_id,
            PaymentFlag.kind.in_(REASONS)).order_by(PaymentFlag.created_at).limit(1))
        attempt = db.get(PaymentAttempt, flag.attempt_id) if flag and flag.attempt_id else None
        if flag is None or attempt is None or attempt.account_id is None:
            raise RefundError("not_refundable")  # BBPS money goes back through the aggregator
        earlier = list(db.scalars(select(PaymentRefund).where(
            PaymentRefund.tenant_id == tenant_id, PaymentRefund.external_payment_id == payment_id,
            PaymentRefund.status != "failed").order_by(PaymentRefund.created_at)))
        unanswered = next((r for r in earlier if r.status == "requested"), None)
        if unanswered is None:
            given = sum(r.amount_paise for r in earlier)
            amount = _limit(flag) - given if amount_paise is None else amount_paise
            if isinstance(amount, bool) or amount <= 0 or given + amount > _limit(flag):
                raise RefundError("exceeds_refundable")
            row = PaymentRefund(tenant_id=tenant_id, account_id=attempt.account_id,
                                attempt_id=attempt.id, flag_id=flag.id,
                                external_payment_id=payment_id, reason=flag.kind,
                                amount_paise=amount, note=note, status="requested",
                                actor=actor[:200], tries=0, idempotency_key="")
            db.add(row)
            db.flush()
            row.idempotency_key = f"nagarsetu-refund-{row.id}"
            record(db, tenant_id=tenant_id, actor=actor, entity="payment_refund", key=row.id,
                   action="create", after={"payment": payment_id, "reason": flag.kind,
                                           "amount_paise": amount, "note": note})
            db.commit()
            unanswered = row
        refund_id = unanswered.id
    return send(sessions, crypto, refund_id)


def send(sessions: sessionmaker[Session], crypto: Crypto, refund_id: str) -> RefundView:
    """Ask the gateway (again) for a `requested` refund: same key, same body every time."""
    with sessions() as db:
        row = db.get(PaymentRefund, refund_id)
        if row is None:
            raise RefundError("not_found")
        account = db.get(GatewayAccount, row.account_id)
        if row.status != "requested" or account is None:
            return view_of(row)
        row.tries += 1
        row.updated_at = utcnow()
        db.commit()
        gateway = gateway_for(crypto, account)
        payment_id, amount, key = row.external_payment_id, row.amount_paise, row.idempotency_key
    try:  # no transaction open during the call
        done = gateway.refund(payment_id, amount, key=key, notes={"refund_id": refund_id})
    except GatewayError as exc:
        if exc.code == "refused":  # the gateway said no (not a lost answer): final
            with sessions() as db:
                move(db, refund_id, "failed")
                db.commit()
            raise RefundError("refused_by_gateway") from None
        log.warning("refund %s not confirmed (%s); a retry re-sends it", refund_id, exc.code)
        raise RefundError("gateway_unavailable") from None
    with sessions() as db:
        state = "processed" if done.state == "processed" else "pending"
        move(db, refund_id, state, external_refund_id=done.refund_id)
        if state == "pending":  # a webhook may have said more already; never back
            db.execute(update(PaymentRefund).where(PaymentRefund.id == refund_id,
                                                   PaymentRefund.external_refund_id.is_(None))
                       .values(external_refund_id=done.refund_id))
        db.commit()
        row = db.get(PaymentRefund, refund_id)
        assert row is not None
        return view_of(row)


def retry_unanswered(sessions: sessionmaker[Session], crypto: Crypto, *,
                     now: datetime | None = None) -> int:
    """Re-send every refund whose gateway answer was lost (the safety net: untouched for
    `RETRY_AFTER`, so a request still on its way is not raced); how many were answered."""
    cutoff = (now or utcnow()) - RETRY_AFTER
    with sessions() as db:
        ids = list(db.scalars(select(PaymentRefund.id).where(
            PaymentRefund.status == "requested", PaymentRefund.updated_at <= cutoff)
            .order_by(PaymentRefund.created_at).limit(200)))
    done = 0
    for refund_id in ids:
        try:
            send(sessions, crypto, refund_id)
            done += 1
        except RefundError:
            continue
    return done


def _amount(paise: int) -> Localized:
    """An amount in each language's own currency pattern."""
    return Localized({code: format_money(paise, code) for code in LANGUAGES})


def tell_citizen(sessions: sessionmaker[Session], crypto: Crypto,
                 refund_id: str) -> Queued:
    """Queue the citizen's "refund processed" message once (lane `notice`), on the channel
    they last wrote on; nothing for a payment nobody in the chat made."""
    from services.grievances.notify import notify_citizen
    from services.messaging.models import Message

    with sessions() as db:
        row = db.get(PaymentRefund, refund_id)
        attempt = db.get(PaymentAttempt, row.attempt_id) if row and row.attempt_id else None
        if row is None or row.status != "processed" or attempt is None or (
                attempt.contact_id is None) or row.notice_sent_at is not None:
            return ()
        won = db.execute(update(PaymentRefund).where(PaymentRefund.id == refund_id,
                                                     PaymentRefund.notice_sent_at.is_(None))
                         .values(notice_sent_at=utcnow()))
        if not getattr(won, "rowcount", 0):
            return ()
        channel = db.scalar(select(Message.account_id).where(
            Message.tenant_id == row.tenant_id, Message.contact_id == attempt.contact_id,
            Message.direction == "in").order_by(Message.created_at.desc()).limit(1))
        bill = db.get(Bill, attempt.bill_id)
        outbox_id = notify_citizen(
            db, crypto, tenant_id=row.tenant_id, contact_id=attempt.contact_id,
            account_id=channel or "", parts=[Msg("refund.processed", {
                "amount": _amount(row.amount_paise), "bill": bill.bill_no if bill else ""})])
        db.commit()
        return [(outbox_id, Lane.NOTICE)] if outbox_id else []
