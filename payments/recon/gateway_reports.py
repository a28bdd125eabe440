"""A gateway's settlement report into settlement lines: fetched day by day through the
gateway's SDK (`payments/<gateway>/recon.py`: `fetch_day`, `rows_of_items`, `rows_of_csv`),
or uploaded as the CSV its dashboard downloads. Both are idempotent: a day fetched again with
nothing new, or the same file uploaded twice, changes nothing; an overlap adds only the new
lines (keyed by the report's own line id in either form).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from importlib import import_module
from types import ModuleType
from typing import Any

from sqlalchemy.orm import Session

from payments import gateways
from payments.gateway import GatewayError
from payments.models import GatewayAccount
from payments.recon.imports import ImportReport, Progress, digest
from payments.recon.settlements import import_settlement_rows
from services.security.crypto import Crypto

MAX_DAYS = 92
"""The longest range fetched in one command."""


class ReportError(ValueError):
    """A report that cannot be had (`unknown_gateway`, `no_report`, `not_utf8`,
    `gateway_unavailable`, `invalid_range`)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _module(gateway: str) -> ModuleType:
    """The gateway's recon module."""
    try:
        return import_module(f"{gateways._package(gateway)}.recon")
    except gateways.UnknownGateway:
        raise ReportError("unknown_gateway") from None
    except ModuleNotFoundError:
        raise ReportError("no_report") from None


def days(first: date, last: date) -> list[date]:
    """Every day from first to last (ReportError `invalid_range` past MAX_DAYS or reversed)."""
    if last < first or (last - first).days >= MAX_DAYS:
        raise ReportError("invalid_range")
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def import_day(db: Session, crypto: Crypto, account: GatewayAccount, day: date, *,
               actor: str, progress: Progress | None = None) -> ImportReport:
    """Fetch one day's report for a gateway account and import it (caller's transaction)."""
    module = _module(account.gateway)
    fetch: Callable[[dict[str, Any], date], Iterator[list[dict[str, Any]]]] = module.fetch_day
    items: list[dict[str, Any]] = []
    try:
        for page in fetch(crypto.decrypt_json(account.config_enc), day):
            items.extend(page)
    except GatewayError:
        raise ReportError("gateway_unavailable") from None
    body = json.dumps(items, sort_keys=True, separators=(",", ":")).encode()
    name = f"{account.gateway} {account.id} {day.isoformat()}"
    file_hash = hashlib.sha256(name.encode() + b"\0" + body).hexdigest()
    return import_settlement_rows(
        db, tenant_id=account.tenant_id, source=account.gateway,
        import_source=f"{account.gateway}_api", file_hash=file_hash, name=name, actor=actor,
        rows=module.rows_of_items(items), progress=progress)


def import_csv(db: Session, *, tenant_id: str, gateway: str, data: bytes, filename: str,
               actor: str, progress: Progress | None = None) -> ImportReport:
    """Import an uploaded CSV of a gateway's settlement report (caller's transaction)."""
    module = _module(gateway)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ReportError("not_utf8") from None
    return import_settlement_rows(
        db, tenant_id=tenant_id, source=gateway, import_source=f"{gateway}_csv",
        file_hash=digest(data), name=filename, actor=actor, rows=module.rows_of_csv(text),
        progress=progress)
