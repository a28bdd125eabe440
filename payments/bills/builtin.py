"""The built-in reference registry: bills kept in our own database, scoped to one tenant."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from payments.bills.numbers import service_of, validate
from payments.bills.registry import BillItem, BillService, BillStatus, BillView
from payments.models import Bill
from services.security.crypto import Crypto


def view_of(bill: Bill, crypto: Crypto) -> BillView:
    """A stored bill as the registry's neutral view (the payer's name decrypted)."""
    return BillView(
        id=bill.id, tenant_id=bill.tenant_id, service=BillService(bill.service),
        consumer_no=bill.consumer_no, bill_no=bill.bill_no, period_start=bill.period_start,
        period_end=bill.period_end,
        items=tuple(BillItem(str(i["head"]), int(i["amount_paise"])) for i in bill.items),
        amount_paise=bill.amount_paise, due_date=bill.due_date, status=BillStatus(bill.status),
        payer_name=crypto.decrypt(bill.payer_name_enc) if bill.payer_name_enc else None)


class BuiltinBills:
    """Bills of one tenant in the `bills` table."""

    def __init__(self, db: Session, crypto: Crypto, tenant_id: str) -> None:
        self.db = db
        self.crypto = crypto
        self.tenant_id = tenant_id

    def lookup(self, service: BillService | str, consumer_no: str) -> list[BillView]:
        """The consumer's bills, newest period first (the number validated first)."""
        kind = service_of(str(service))
        number = validate(self.db, self.tenant_id, kind, consumer_no)
        rows = self.db.scalars(select(Bill).where(
            Bill.tenant_id == self.tenant_id, Bill.service == kind.value,
            Bill.consumer_no == number).order_by(Bill.period_start.desc(), Bill.id))
        return [view_of(row, self.crypto) for row in rows]

    def for_mobile(self, mobile_e164: str) -> list[BillView]:
        """Bills registered to this mobile number, found by its keyed hash (any ring key)."""
        rows = self.db.scalars(select(Bill).where(
            Bill.tenant_id == self.tenant_id,
            Bill.mobile_hash.in_(self.crypto.lookup_hashes(mobile_e164)))
            .order_by(Bill.period_start.desc(), Bill.service, Bill.id))
        return [view_of(row, self.crypto) for row in rows]

    def get(self, bill_id: str) -> BillView | None:
        """One of this tenant's bills."""
        bill = self.db.get(Bill, bill_id)
        if bill is None or bill.tenant_id != self.tenant_id:
            return None
        return view_of(bill, self.crypto)

    def settle(self, bill_id: str, *, payment_ref: str, amount_paise: int,
               paid_at: datetime) -> bool:
        """Paid, by one conditional UPDATE: a second payment never re-settles it."""
        result = self.db.execute(
            update(Bill).where(Bill.id == bill_id, Bill.tenant_id == self.tenant_id,
                               Bill.status == BillStatus.UNPAID.value)
            .values(status=BillStatus.PAID.value, paid_at=paid_at, payment_ref=payment_ref)
            .execution_options(synchronize_session=False))
        return bool(getattr(result, "rowcount", 0))
