"""Consumer numbers: canonical form and per-tenant, per-service formats.

Citizens type numbers in their own script and with spaces or dashes (`१२३-४५६`); the canonical
form is ASCII digits and capitals with nothing else. A tenant's format for a service is a row
in `bill_number_formats` (the city's, else its state's), else the permissive default.
"""

from __future__ import annotations

import re
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from i18n.normalize import normalize_digits
from payments.bills.registry import BillError, BillService
from payments.models import NumberFormat

DEFAULT_PATTERN = r"[0-9A-Z]{4,20}"
_SEPARATORS = re.compile(r"[\s\-_/.]+")


def canonical(text: str) -> str:
    """Native digits to ASCII, separators dropped, letters in capitals."""
    return _SEPARATORS.sub("", normalize_digits(text)).upper()


def service_of(code: str) -> BillService:
    """The service named by a code; `BillError('unknown_service')` otherwise."""
    try:
        return BillService(code)
    except ValueError:
        raise BillError("unknown_service") from None


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    """A format, anchored at both ends."""
    return re.compile(rf"(?:{pattern})\Z")


def pattern_for(db: Session, tenant_id: str, service: BillService) -> str:
    """The city's format for a service, else its state's, else the default."""
    state = tenant_id.split(".", 1)[0]
    rows = {row.tenant_id: row.pattern for row in db.scalars(select(NumberFormat).where(
        NumberFormat.tenant_id.in_((tenant_id, state)), NumberFormat.service == service.value))}
    return rows.get(tenant_id) or rows.get(state) or DEFAULT_PATTERN


def validate(db: Session, tenant_id: str, service: BillService, text: str) -> str:
    """The canonical number if it fits the tenant's format; `BillError` otherwise."""
    number = canonical(text)
    if not number or not _compiled(pattern_for(db, tenant_id, service)).match(number):
        raise BillError("invalid_consumer_number")
    return number
