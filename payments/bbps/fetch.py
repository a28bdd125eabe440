"""`/bills/fetch` and `/customer/validate`: a consumer's bills in the contract's shape.

The customer identifier is the consumer (property, connection, licence) number of the
biller's service, validated by the city's number format like any lookup. No bills at all:
`customer-not-found`; bills, none unpaid: `NO_OUTSTANDING`; otherwise every unpaid bill.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from payments.bbps.errors import BbpsError
from payments.bbps.models import BbpsBiller
from payments.bbps.wire import bill_object, identifier
from payments.bills.registry import BillError, BillRegistry, BillStatus, BillView
from services.db.base import utcnow


def _bills(registry: BillRegistry, biller: BbpsBiller, body: dict[str, Any]) -> list[BillView]:
    """The consumer's bills of the biller's service; customer-not-found when none."""
    number = identifier(body, biller.identifier)
    try:
        bills = registry.lookup(biller.service, number)
    except BillError:
        raise BbpsError("invalid-customer-identifier") from None
    if not bills:
        raise BbpsError("customer-not-found")
    return bills


def _customer(bills: list[BillView]) -> dict[str, Any]:
    """The customer object (the name NPCI asks billers to show)."""
    name = next((b.payer_name for b in bills if b.payer_name), None)
    return {"name": name or bills[0].consumer_no}


def fetch_bills(db: Session, registry: BillRegistry, biller: BbpsBiller, body: dict[str, Any],
                now: datetime | None = None) -> dict[str, Any]:
    """The `data` of a fetch answer."""
    bills = _bills(registry, biller, body)
    due = sorted((b for b in bills if b.payable), key=lambda b: (b.due_date, b.id))
    details = {"billFetchStatus": "AVAILABLE" if due else "NO_OUTSTANDING",
               "bills": [bill_object(b, exactness=biller.exactness, now=now or utcnow())
                         for b in due]}
    return {"customer": _customer(bills), "billDetails": details}


def validate_customer(db: Session, registry: BillRegistry, biller: BbpsBiller,
                      body: dict[str, Any]) -> dict[str, Any]:
    """The `data` of a validate answer: the customer and their oldest payable bill."""
    bills = _bills(registry, biller, body)
    due = sorted((b for b in bills if b.payable), key=lambda b: (b.due_date, b.id))
    if not due:
        paid = any(b.status is BillStatus.PAID for b in bills)
        raise BbpsError("bill-already-fulfilled" if paid else "bill-not-found")
    return {"customer": _customer(bills), "billerBillID": due[0].id}
