"""After a capture: the receipt (issued once, by `payments.receipts`) and the citizen's notice.

This runs in its own transaction after the capture committed, so a crash between the two
leaves a captured attempt without a receipt number, which the safety net finds and finishes.
`issue_receipt` is idempotent on `payment_ref` (our attempt id), so a redo never issues two.
The notice hook is where the conversation side queues the citizen's message (outbox lane
`notice`) in the same transaction as the receipt number; it returns the outbox rows to hand to
the dispatcher after commit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from payments.bills.registry import BillRegistry
from payments.models import PaymentAttempt
from payments.receipts import issue as receipts
from services.connectors.digit.payments import queue_posting
from services.db.base import aware, utcnow
from services.messaging.lanes import Lane

log = logging.getLogger(__name__)
BillsFor = Callable[[Session, str], BillRegistry]
Queued = Sequence[tuple[str, Lane]]
ReceiptNotifier = Callable[[Session, PaymentAttempt, Any], Queued]
"""(db, the attempt, the receipt) -> outbox rows queued for the citizen, in the transaction."""


def no_notice(db: Session, attempt: PaymentAttempt, receipt: Any) -> Queued:
    """The default hook: nobody is told (until the conversation side plugs its notice in)."""
    return ()


def issue_for(db: Session, bills_for: BillsFor, attempt: PaymentAttempt,
              notify: ReceiptNotifier = no_notice) -> Queued:
    """Issue the receipt of a captured attempt that has none, and queue the notice."""
    if attempt.status != "captured" or attempt.receipt_number:
        return ()
    bill = bills_for(db, attempt.tenant_id).get(attempt.bill_id)
    if bill is None:
        log.error("captured attempt %s has no bill", attempt.id)
        return ()
    receipt = receipts.issue_receipt(db, receipts.ReceiptInput(
        tenant_id=attempt.tenant_id, service=bill.service.value, payment_ref=attempt.id,
        bill_ref=bill.bill_no, consumer_no=bill.consumer_no,
        amount_paise=int(attempt.paid_paise or attempt.amount_paise),
        paid_at=aware(attempt.captured_at or utcnow()), method=attempt.method or "upi",
        gateway_payment_id=attempt.external_payment_id or "", payer_name=bill.payer_name,
        contact_id=attempt.contact_id))
    won = db.execute(update(PaymentAttempt).where(PaymentAttempt.id == attempt.id,
                                                  PaymentAttempt.receipt_number.is_(None))
                     .values(receipt_number=str(receipt.number), updated_at=utcnow())
                     .execution_options(synchronize_session=False))
    db.expire(attempt)
    if not getattr(won, "rowcount", 0):
        return ()  # another worker finished it first: the citizen is told once
    queue_posting(db, attempt)  # a platform's bill (DIGIT) hears of it, posted by a sweeper
    queued = notify(db, attempt, receipt)
    if queued:
        db.execute(update(PaymentAttempt).where(PaymentAttempt.id == attempt.id)
                   .values(notice_sent_at=utcnow()))
    return queued
