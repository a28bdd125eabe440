"""Receipt numbers: `AMR/PT/2026-27/000123`, gap-free per tenant, service and fiscal year."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from i18n.format import in_ist
from payments.receipts.models import ReceiptCounter

SERVICES = {"property_tax": "PT", "water": "WS", "sewerage": "SW", "trade_licence": "TL"}
"""Service names the payments side passes, and the code each prints in a receipt number."""
METHODS = ("upi", "card", "netbanking", "wallet", "bbps")
"""Payment methods with a label in the catalogs (`receipt.method.<name>`); others print as is."""


class ReceiptError(ValueError):
    """A receipt cannot be issued from this input; `code` says why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def service_code(service: str) -> str:
    """The two-letter code of a service; ReceiptError `unknown_service` otherwise."""
    code = SERVICES.get(service)
    if code is None:
        raise ReceiptError("unknown_service")
    return code


def fiscal_year(moment: datetime) -> str:
    """The Indian fiscal year (1 April to 31 March, in IST) of a moment: `2026-27`."""
    local = in_ist(moment)
    start = local.year if local.month >= 4 else local.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def city_code(grievance_code: str) -> str:
    """The city part of a tenant's grievance-number code (`PB-AMR` → `AMR`)."""
    code = grievance_code.rsplit("-", 1)[-1].strip().upper()
    if not code.isalnum() or not code.isascii():
        raise ReceiptError("no_city_code")
    return code


def format_number(city: str, service: str, year: str, sequence: int) -> str:
    """The printed receipt number."""
    return f"{city}/{service_code(service)}/{year}/{sequence:06d}"


def next_sequence(db: Session, tenant_id: str, service: str, year: str) -> int:
    """The next number, bumped in the caller's transaction: the counter row stays locked until
    it commits (concurrent issuers wait), and a rollback gives the number back."""
    bump = (update(ReceiptCounter)
            .where(ReceiptCounter.tenant_id == tenant_id, ReceiptCounter.service == service,
                   ReceiptCounter.fiscal_year == year)
            .values(value=ReceiptCounter.value + 1).returning(ReceiptCounter.value))
    value = db.scalar(bump)
    if value is not None:
        return int(value)
    try:
        with db.begin_nested():
            db.add(ReceiptCounter(tenant_id=tenant_id, service=service, fiscal_year=year,
                                  value=1))
        return 1
    except IntegrityError:
        return int(db.scalar(bump) or 0)
