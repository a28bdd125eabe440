"""Razorpay's settlement recon report (`GET /v1/settlements/recon/combined`) as neutral rows.

Through the SDK (`client.settlement.report`), one day at a time, `count` ≤ 1000 a page and
`skip` to page on; or an uploaded CSV of the same report (the dashboard's download: the API's
field names as columns, amounts in rupees). Each item becomes a `SettlementRow`: `entity_id`
is the line key, a payment's `entity_id` (a refund's `payment_id`) the payment reference,
`credit`/`debit`/`fee`/`tax` in paise, `settlement_utr` the UTR the bank statement shows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

from payments.money import MoneyError, paise
from payments.razorpay.gateway import Gateway
from payments.recon.imports import RowError
from payments.recon.settlements import SettlementRow
from services.db.base import IST

PAGE = 1000
"""The report's largest page."""
KINDS = {"payment": "payment", "refund": "refund", "adjustment": "adjustment",
         "transfer": "transfer", "dispute": "dispute"}
AMOUNTS = ("amount", "credit", "debit", "fee", "tax")
REQUIRED = ("entity_id", "type", "amount")


class BadField(ValueError):
    """A field that could not be read (`code`, `field`)."""

    def __init__(self, code: str, name: str) -> None:
        super().__init__(code)
        self.code, self.name = code, name


def _flag(value: Any) -> bool:
    """`true`, `1`, `yes` (any case), or a JSON true."""
    return value is True or str(value).strip().lower() in ("1", "true", "yes")


def _moment(value: Any, name: str) -> datetime | None:
    """An epoch (the API) or `YYYY-MM-DD[ HH:MM[:SS]]` / `DD/MM/YYYY …` in IST (the CSV)."""
    text = str(value if value is not None else "").strip()
    if not text:
        return None
    if text.isdigit():
        return datetime.fromtimestamp(int(text), UTC)
    for pattern in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%d/%m/%Y %H:%M:%S",
                    "%d/%m/%Y %H:%M", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=IST)
        except ValueError:
            continue
    raise BadField("invalid_date", name)


def _amount(value: Any, name: str, *, rupees: bool) -> int:
    """An amount: paise as an integer (the API) or rupees with decimals (the CSV)."""
    text = str(value if value is not None else "").strip().replace(",", "")
    if not text:
        return 0
    try:
        if rupees:
            return paise(text)
        if isinstance(value, bool) or not text.isdigit():
            raise BadField("invalid_amount", name)
        return int(text)
    except MoneyError:
        raise BadField("invalid_amount", name) from None


def row_of(item: dict[str, Any], *, rupees: bool = False) -> SettlementRow:
    """One report item as a settlement row (BadField for a field that cannot be read)."""
    for name in REQUIRED:
        if not str(item.get(name) or "").strip():
            raise BadField("missing_field", name)
    kind = KINDS.get(str(item["type"]).strip().lower(), "other")
    values = {name: _amount(item.get(name), name, rupees=rupees) for name in AMOUNTS}
    entity = str(item["entity_id"]).strip()
    payment_ref = entity if kind == "payment" else (str(item.get("payment_id") or "").strip()
                                                    or None)
    settled_at = _moment(item.get("settled_at"), "settled_at")
    settled = _flag(item.get("settled"))
    settled_on: date | None = settled_at.astimezone(IST).date() if settled_at else None
    return SettlementRow(
        line_key=entity, kind=kind, payment_ref=payment_ref, amount_paise=values["amount"],
        credit_paise=values["credit"], debit_paise=values["debit"], fee_paise=values["fee"],
        tax_paise=values["tax"], on_hold=_flag(item.get("on_hold")), settled=settled,
        settlement_id=str(item.get("settlement_id") or "").strip() or None,
        settlement_utr=str(item.get("settlement_utr") or "").strip() or None,
        settled_on=settled_on if settled else None,
        occurred_at=_moment(item.get("created_at"), "created_at"),
        method=str(item.get("method") or ""), description=str(item.get("description") or ""))


def rows_of_items(items: list[dict[str, Any]], first_line: int = 1,
                  ) -> Iterator[tuple[int, SettlementRow | RowError]]:
    """API items, numbered from `first_line` (their place in the day's report)."""
    for number, item in enumerate(items, start=first_line):
        try:
            yield number, row_of(item)
        except BadField as exc:
            yield number, RowError(number, exc.code, exc.name)


def rows_of_csv(text: str) -> Iterator[tuple[int, SettlementRow | RowError]]:
    """The report as a CSV, each row with its line in the file (the header is line 1)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [name for name in REQUIRED if name not in (reader.fieldnames or [])]
    if missing:
        yield 1, RowError(1, "missing_column", missing[0])
        return
    for item in reader:
        line = reader.line_num
        try:
            yield line, row_of({k.strip(): v for k, v in item.items() if k}, rupees=True)
        except BadField as exc:
            yield line, RowError(line, exc.code, exc.name)


def fetch_day(config: dict[str, Any], day: date, page: int = PAGE,
              ) -> Iterator[list[dict[str, Any]]]:
    """The day's report, page by page, through the SDK (our GatewayError on failure)."""
    gateway = Gateway(config)
    skip = 0
    while True:
        answer = gateway._call(gateway.client.settlement.report, {
            "year": day.year, "month": day.month, "day": day.day, "count": page, "skip": skip})
        items = list(answer.get("items") or [])
        if items:
            yield items
        if len(items) < page:
            return
        skip += len(items)
