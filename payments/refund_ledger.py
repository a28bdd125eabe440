"""A refund's webhook applied to our refund row: forward only, once.

    requested (0) ─► pending (1) ─► processed | failed (2)

The row is found by our id in the refund's notes, else by the gateway's refund id, only
among the account's own refunds. A replay, or `refund.failed` after `refund.processed` (or
the reverse), changes nothing: the first final word stands.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from payments.gateway import GatewayNotice, NoticeKind
from payments.models import GatewayAccount
from payments.refund_models import PaymentRefund
from services.db.base import utcnow

RANK = {"requested": 0, "pending": 1, "processed": 2, "failed": 2}


def below(rank: int) -> list[str]:
    """States a refund may leave for a state of this rank."""
    return [state for state, value in RANK.items() if value < rank]


def find_refund(db: Session, account_id: str, our_id: str | None,
                refund_id: str | None) -> PaymentRefund | None:
    """Our refund row for a gateway refund (this account's only)."""
    query = select(PaymentRefund).where(PaymentRefund.account_id == account_id)
    for column, value in ((PaymentRefund.id, our_id),
                          (PaymentRefund.external_refund_id, refund_id)):
        if value:
            found = db.scalar(query.where(column == value))
            if found is not None:
                return found
    return None


def move(db: Session, row_id: str, status: str, **values: object) -> bool:
    """One conditional UPDATE forward (a later or concurrent move wins nothing)."""
    result = db.execute(update(PaymentRefund).where(
        PaymentRefund.id == row_id, PaymentRefund.status.in_(below(RANK[status])))
        .values(status=status, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False))
    return bool(getattr(result, "rowcount", 0))


def refund_moved(db: Session, account: GatewayAccount, notice: GatewayNotice) -> str | None:
    """`refund_processed` / `refund_failed` when this notice moved one of our refunds,
    `refund_stale` when it was already there; None when the refund is not ours."""
    found = notice.refund
    if found is None:
        return None
    row = find_refund(db, account.id, found.our_id, found.refund_id)
    if row is None:
        return None
    status = "processed" if notice.kind is NoticeKind.REFUNDED else "failed"
    if move(db, row.id, status, external_refund_id=row.external_refund_id or found.refund_id):
        db.expire(row)
        return f"refund_{status}"
    return "refund_stale"
