"""Cancelling a receipt (a refund, a wrong bill): a row beside the receipt, which stays.

The receipt's signed row is never changed (its signature must keep verifying what was
issued); the cancellation says when, why and who, and is audited in the same transaction.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from payments.receipts.models import Receipt
from payments.recon.models import ReceiptCancellation
from services.audit.record import record
from services.tenancy.service import in_scope

REASONS = ("refunded", "wrong_bill", "duplicate", "bounced", "other")


class CancelError(ValueError):
    """A cancellation refused (`not_found`, `already_cancelled`, `invalid_reason`,
    `note_required`)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def cancel_receipt(db: Session, *, scope: str, number: str, reason: str, note: str,
                   actor: str) -> ReceiptCancellation:
    """Cancel a receipt of a tenant within the actor's scope, by its number."""
    if reason not in REASONS:
        raise CancelError("invalid_reason")
    if not note.strip():
        raise CancelError("note_required")
    receipt = db.scalar(select(Receipt).where(Receipt.number == number[:48]))
    if receipt is None or not in_scope(receipt.tenant_id, scope):
        raise CancelError("not_found")
    row = ReceiptCancellation(tenant_id=receipt.tenant_id, receipt_id=receipt.id,
                              reason=reason, note=note.strip()[:2000], actor=actor[:100])
    try:
        with db.begin_nested():
            db.add(row)
    except IntegrityError:
        raise CancelError("already_cancelled") from None
    record(db, tenant_id=receipt.tenant_id, actor=actor, entity="receipt", key=receipt.number,
           action="cancel", after={"reason": reason, "note": row.note})
    db.flush()
    return row
