"""`/bills/fetchReceipt`: a payment posted by the aggregator, receipted exactly once.

One transaction does it all, so the answer is never "paid" without a receipt: the posting row
(unique on biller and `uniquePaymentRefID`) is inserted and flushed first; a duplicate posted
in parallel waits on that unique key until the first commits, then fails to insert and answers
from the committed row: the same receipt, 200. Then the bill is checked (`bill-not-found`,
`bill-already-fulfilled`, `bill-expired`, `incorrect-amount` under the biller's rule), a
ledger row (`payment_attempts`, method `bbps`, no gateway account) is written captured, the
bill settled by a conditional UPDATE, the receipt issued by `payments.receipts` and the
citizen's notice queued through the same hook as every other receipt
(`payments.receipting.issue_for`). A refusal is stored too, and a re-sent body gets it again.
A different payment under a used reference is refused (`invalid-param`).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from payments.bbps.errors import BbpsError
from payments.bbps.models import BbpsBiller, BbpsPayment
from payments.bbps.wire import accepts, amount, iso, parse_time, text
from payments.bills.registry import BillRegistry, BillStatus
from payments.ledger import flag
from payments.models import Bill, PaymentAttempt
from payments.receipting import Queued, ReceiptNotifier, issue_for, no_notice
from payments.receipts.issue import crypto_of
from payments.receipts.models import Receipt
from services.contacts.models import Contact
from services.contacts.service import urn_for
from services.db.base import aware, utcnow

log = logging.getLogger(__name__)
BillsFor = Callable[[Session, str], BillRegistry]
METHOD = "bbps"


@dataclass(frozen=True)
class Posting:
    """What a receipt post says, checked for shape."""

    unique_ref: str
    biller_bill_id: str
    amount_paise: int
    platform_bill_id: str
    platform_txn_ref: str
    instrument: str
    paid_at: datetime

    @property
    def digest(self) -> str:
        """What makes two posts the same payment."""
        same = [self.unique_ref, self.biller_bill_id, self.amount_paise, self.platform_bill_id]
        return hashlib.sha256(json.dumps(same).encode()).hexdigest()


def read_posting(body: dict[str, Any], now: datetime) -> Posting:
    """A receipt post's fields (the contract's errors for missing or malformed ones)."""
    details = body.get("paymentDetails")
    if not isinstance(details, dict):
        raise BbpsError("malformed-request", "paymentDetails is missing.")
    stamp = details.get("transactionTimestamp")
    return Posting(unique_ref=text(details, "uniquePaymentRefID", required=True),
                   biller_bill_id=text(body, "billerBillID", required=True),
                   amount_paise=amount(details.get("amountPaid"), "amountPaid"),
                   platform_bill_id=text(body, "platformBillID"),
                   platform_txn_ref=text(details, "platformTransactionRefID"),
                   instrument=text(details, "instrument", 32),
                   paid_at=parse_time(stamp) if stamp else now)


def _answer(row: BbpsPayment, digest: str) -> dict[str, Any]:
    """A stored posting's answer (the same every time); BbpsError for a refusal."""
    if row.body_hash != digest:
        raise BbpsError("invalid-param", "uniquePaymentRefID was used for another payment.")
    if row.status != "accepted" or not row.receipt_number:
        raise BbpsError(row.error_code or "bad-request")
    return {"receipt": {"id": row.receipt_number, "date": iso(aware(row.receipt_at or
                                                                    row.created_at))}}


def _existing(db: Session, biller_id: str, unique_ref: str) -> BbpsPayment | None:
    """The posting already stored under this reference."""
    return db.scalar(select(BbpsPayment).where(BbpsPayment.biller_id == biller_id,
                                               BbpsPayment.unique_ref == unique_ref))


def post_payment(sessions: sessionmaker[Session], bills_for: BillsFor, biller_id: str,
                 body: dict[str, Any], notify: ReceiptNotifier = no_notice,
                 now: datetime | None = None) -> tuple[dict[str, Any], Queued]:
    """(the answer's `data`, notices to dispatch after commit); BbpsError for a refusal."""
    now = now or utcnow()
    posting = read_posting(body, now)
    with sessions() as db:
        found = _existing(db, biller_id, posting.unique_ref)
        if found is not None:
            return _answer(found, posting.digest), ()
        biller = db.get(BbpsBiller, biller_id)
        assert biller is not None  # the route found it
        row = BbpsPayment(tenant_id=biller.tenant_id, biller_id=biller.id,
                          unique_ref=posting.unique_ref, body_hash=posting.digest,
                          platform_bill_id=posting.platform_bill_id,
                          platform_txn_ref=posting.platform_txn_ref,
                          biller_bill_id=posting.biller_bill_id,
                          amount_paise=posting.amount_paise, instrument=posting.instrument,
                          paid_at=posting.paid_at, status="pending", created_at=now)
        db.add(row)
        try:
            db.flush()  # a parallel duplicate waits here until the first one commits
        except IntegrityError:
            db.rollback()
            found = _existing(db, biller_id, posting.unique_ref)
            if found is None:
                raise
            return _answer(found, posting.digest), ()
        try:
            queued = _accept(db, bills_for, biller, row, posting, notify)
        except BbpsError as refusal:
            db.rollback()  # nothing of the ledger stays; the refusal is kept, answered again
            _refuse(db, biller, posting, refusal.code, now)
            raise
        db.commit()
        return _answer(row, posting.digest), queued


def _accept(db: Session, bills_for: BillsFor, biller: BbpsBiller, row: BbpsPayment,
            posting: Posting, notify: ReceiptNotifier) -> Queued:
    """Check the bill and the amount, write the ledger row, settle, receipt, notice."""
    registry = bills_for(db, biller.tenant_id)
    bill = registry.get(posting.biller_bill_id[:32])
    if bill is None or bill.service.value != biller.service:
        raise BbpsError("bill-not-found")
    if bill.status is BillStatus.PAID:
        raise BbpsError("bill-already-fulfilled")
    if not bill.payable:
        raise BbpsError("bill-expired")
    if not accepts(biller.exactness, bill.amount_paise, posting.amount_paise):
        raise BbpsError("incorrect-amount")
    attempt = PaymentAttempt(
        tenant_id=biller.tenant_id, bill_id=bill.id, account_id=None,
        amount_paise=bill.amount_paise, status="captured",
        contact_id=owner_contact(db, biller.tenant_id, bill.id),
        expire_at=posting.paid_at, external_payment_id=posting.unique_ref,
        paid_paise=posting.amount_paise, refunded_paise=0, method=METHOD,
        captured_at=posting.paid_at, created_at=row.created_at, updated_at=row.created_at)
    db.add(attempt)
    db.flush()
    if not registry.settle(bill.id, payment_ref=attempt.id, amount_paise=posting.amount_paise,
                           paid_at=posting.paid_at):
        raise BbpsError("bill-already-fulfilled")  # paid by another route meanwhile
    if posting.amount_paise > bill.amount_paise:  # an advance the rule allows: finance sees it
        flag(db, tenant_id=biller.tenant_id, kind="excess_payment",
             payment_id=posting.unique_ref, attempt=attempt, paid_paise=posting.amount_paise)
    queued = issue_for(db, bills_for, attempt, notify)
    receipt = db.scalar(select(Receipt).where(Receipt.payment_ref == attempt.id))
    if receipt is None:
        raise RuntimeError("the receipt was not issued")  # rolled back: answered 503
    row.status, row.bill_id, row.attempt_id = "accepted", bill.id, attempt.id
    row.receipt_number, row.receipt_at = receipt.number, receipt.issued_at
    return queued


def owner_contact(db: Session, tenant_id: str, bill_id: str) -> str | None:
    """The citizen behind the bill's registered mobile, if they ever wrote to the city (so
    the receipt is in their "my payments" and the notice hook can tell them); None else."""
    row = db.get(Bill, bill_id)
    if row is None or row.tenant_id != tenant_id or not row.mobile_enc:
        return None
    crypto = crypto_of(db)
    urn = urn_for("sms", crypto.decrypt(row.mobile_enc))
    return db.scalar(select(Contact.id).where(Contact.tenant_id == tenant_id,
                                              Contact.urn_hash.in_(crypto.lookup_hashes(urn))))


def _refuse(db: Session, biller: BbpsBiller, posting: Posting, code: str,
            now: datetime) -> None:
    """Keep a refused posting (evidence for reconciliation; a re-send is answered alike)."""
    db.add(BbpsPayment(tenant_id=biller.tenant_id, biller_id=biller.id,
                       unique_ref=posting.unique_ref, body_hash=posting.digest,
                       platform_bill_id=posting.platform_bill_id,
                       platform_txn_ref=posting.platform_txn_ref,
                       biller_bill_id=posting.biller_bill_id,
                       amount_paise=posting.amount_paise, instrument=posting.instrument,
                       paid_at=posting.paid_at, status="refused", error_code=code,
                       created_at=now))
    try:
        db.commit()
    except IntegrityError:  # a parallel duplicate stored it first
        db.rollback()
    log.info("bbps posting refused for biller %s: %s", biller.id, code)
