"""Payments our gateway captured, posted to DIGIT's collection-services, exactly once.

The posting is queued in the receipt's transaction (`queue_posting`, called from
`payments.receipting`), so a capture is never lost between our ledger and the platform.
The sweeper posts due rows with no session open during the call; each row is claimed by a
conditional UPDATE, and before every (re)try the platform is searched for our transaction
number (the attempt id), so a timeout after the platform recorded it never posts twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from payments.models import Bill, PaymentAttempt
from payments.money import rupees_text
from services.connectors.connections import CACHE
from services.connectors.digit.auth import Auth, as_system
from services.connectors.digit.client import DigitClient
from services.connectors.errors import Refused, Unavailable
from services.connectors.models import FAILED, FILED, PENDING, RemoteBill, RemotePayment
from services.connectors.retry import next_attempt
from services.db.base import aware, utcnow
from services.security.crypto import Crypto

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 48
"""About a day of tries at the ten-minute cap; then finance is left to post it by hand."""
CLAIM = timedelta(minutes=2)
"""How long a claimed row is left to its worker before another may take it."""


def queue_posting(db: Session, attempt: PaymentAttempt) -> RemotePayment | None:
    """In the receipt's transaction: queue the platform's copy of a payment, when the bill is
    a mirrored platform bill (once per attempt)."""
    if db.get(RemoteBill, attempt.bill_id) is None:
        return None
    found = db.scalar(select(RemotePayment).where(RemotePayment.attempt_id == attempt.id))
    if found is not None:
        return found
    row = RemotePayment(tenant_id=attempt.tenant_id, attempt_id=attempt.id,
                        bill_id=attempt.bill_id, state=PENDING, attempts=0,
                        next_attempt_at=utcnow())
    db.add(row)
    db.flush()
    return row


@dataclass(frozen=True)
class Posting:
    """What one posting needs, read in a short session."""

    row_id: str
    tenant_id: str
    body: dict[str, Any]
    transaction: str


def _claim(sessions: sessionmaker[Session], row_id: str, crypto: Crypto,
           ) -> tuple[Posting, DigitClient] | None:
    """Claim a due row and read what to post (None: taken, or no DIGIT connection now)."""
    now = utcnow()
    with sessions() as db:
        won = db.execute(update(RemotePayment).where(
            RemotePayment.id == row_id, RemotePayment.state == PENDING,
            RemotePayment.next_attempt_at <= now)
            .values(next_attempt_at=now + CLAIM, attempts=RemotePayment.attempts + 1)
            .execution_options(synchronize_session=False))
        if not getattr(won, "rowcount", 0):
            return None
        row = db.get_one(RemotePayment, row_id)
        attempt = db.get_one(PaymentAttempt, row.attempt_id)
        bill = db.get_one(Bill, row.bill_id)
        remote = db.get_one(RemoteBill, row.bill_id)
        settings = CACHE.get(db, crypto, row.tenant_id, "bills")
        db.commit()
        if settings is None or settings.kind != "digit":
            return None
        paid = int(attempt.paid_paise or attempt.amount_paise)
        at = int(aware(attempt.captured_at or now).timestamp() * 1000)
        body = {
            "tenantId": row.tenant_id, "totalDue": rupees_text(bill.amount_paise),
            "paymentMode": "ONLINE", "paidBy": "OWNER",
            "payerName": crypto.decrypt(bill.payer_name_enc) if bill.payer_name_enc else "",
            "transactionNumber": attempt.id, "transactionDate": at,
            "instrumentNumber": attempt.external_payment_id or attempt.id,
            "instrumentDate": at, "totalAmountPaid": rupees_text(paid),
            "paymentDetails": [{"businessService": remote.business_service,
                                "billId": remote.remote_id,
                                "totalDue": rupees_text(bill.amount_paise),
                                "totalAmountPaid": rupees_text(paid)}]}
        return Posting(row.id, row.tenant_id, body, attempt.id), DigitClient(settings)


def _find_or_create(client: DigitClient, auth: Auth, posting: Posting) -> dict[str, Any]:
    """The platform's record of this payment: found by our transaction number (an earlier
    try got through), else created now."""
    found = client.search_payments(auth, {"tenantId": posting.tenant_id,
                                          "transactionNumber": posting.transaction})
    return found[0] if found else client.create_payment(auth, posting.body)


def _receipt(payment: dict[str, Any]) -> str:
    """The platform's receipt number of a payment (its id when it gives none)."""
    details = payment.get("paymentDetails") or [{}]
    return str(details[0].get("receiptNumber") or payment.get("id") or "")


def post_one(sessions: sessionmaker[Session], crypto: Crypto, row_id: str) -> str:
    """Post one due row: `posted`, `retry`, `failed` or `skipped` (not ours to take)."""
    claimed = _claim(sessions, row_id, crypto)
    if claimed is None:
        return "skipped"
    posting, client = claimed
    try:
        payment = as_system(client, lambda auth: _find_or_create(client, auth, posting))
        outcome, values = "posted", {"state": FILED, "remote_receipt": _receipt(payment)[:64],
                                     "posted_at": utcnow()}
    except Unavailable:
        outcome, values = "retry", {}
    except Refused as exc:
        log.error("DIGIT refused payment posting %s: %s", row_id, exc.code)
        outcome, values = "failed", {"state": FAILED}
    with sessions() as db:
        row = db.get_one(RemotePayment, row_id)
        if outcome == "retry":
            if row.attempts >= MAX_ATTEMPTS:
                outcome, values = "failed", {"state": FAILED}
            else:
                values = {"next_attempt_at": next_attempt(utcnow(), row.attempts)}
        for key, value in values.items():
            setattr(row, key, value)
        db.commit()
    return outcome


def due(sessions: sessionmaker[Session], limit: int = 100) -> list[str]:
    """Postings due now, oldest first."""
    with sessions() as db:
        return list(db.scalars(select(RemotePayment.id).where(
            RemotePayment.state == PENDING, RemotePayment.next_attempt_at <= utcnow())
            .order_by(RemotePayment.next_attempt_at).limit(limit)))


def post_due(sessions: sessionmaker[Session], crypto: Crypto) -> dict[str, int]:
    """Post every due row; how many ended each way."""
    tally: dict[str, int] = {}
    for row_id in due(sessions):
        outcome = post_one(sessions, crypto, row_id)
        tally[outcome] = tally.get(outcome, 0) + 1
    return tally
