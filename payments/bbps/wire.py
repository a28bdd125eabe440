"""The contract's payloads: reading requests and writing bill objects (amounts in paise).

Bills as the aggregator wants them: `billerBillID` (our bill id: the receipt post names only
it), `generatedOn` ≤ `dueDate` (never equal, never in the future), `recurrence` from the
bill's period, `amountExactness` from the biller's rule, `aggregates.total` in paise, at
most four `items`. Times are ISO 8601 in UTC with milliseconds, as in the contract's samples.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from payments.bbps.errors import BbpsError
from payments.bills.registry import BillView

IST = ZoneInfo("Asia/Kolkata")
MAX_ITEMS = 4


def iso(moment: datetime) -> str:
    """`2022-06-07T05:18:02.234Z`."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def parse_time(value: Any) -> datetime:
    """An ISO 8601 timestamp (a trailing Z allowed) as an aware datetime; invalid-param."""
    if not isinstance(value, str) or not value:
        raise BbpsError("invalid-param", "transactionTimestamp is not a timestamp.")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BbpsError("invalid-param", "transactionTimestamp is not a timestamp.") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def identifier(body: dict[str, Any], name: str) -> str:
    """The value of the biller's customer identifier; the contract's errors otherwise."""
    entries = body.get("customerIdentifiers")
    if not isinstance(entries, list):
        raise BbpsError("malformed-request", "customerIdentifiers is missing.")
    for entry in entries:
        if isinstance(entry, dict) and entry.get("attributeName") == name:
            value = entry.get("attributeValue")
            if (isinstance(value, str | int) and not isinstance(value, bool) and str(value)
                    and len(str(value)) <= 64 and "\x00" not in str(value)):
                return str(value)
            raise BbpsError("invalid-customer-identifier")
    raise BbpsError("insufficient-customer-identifiers", f"{name} is required.")


def amount(node: Any, name: str) -> int:
    """`{"value": paise}` as an int of paise (> 0); invalid-param otherwise."""
    value = node.get("value") if isinstance(node, dict) else None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise BbpsError("invalid-param", f"{name}.value must be a positive integer of paise.")
    return value


def text(node: dict[str, Any], name: str, limit: int = 64, required: bool = False) -> str:
    """A string field (numbers accepted as their digits), bounded."""
    value = node.get(name)
    if value is None or value == "":
        if required:
            raise BbpsError("invalid-param", f"{name} is required.")
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise BbpsError("invalid-param", f"{name} must be a string.")
    if len(str(value)) > limit or "\x00" in str(value):
        raise BbpsError("invalid-param", f"{name} is too long or not text.")
    return str(value)


def recurrence(bill: BillView) -> str:
    """How often the bill comes, from its period."""
    days = (bill.period_end - bill.period_start).days + 1
    for limit, name in ((35, "MONTHLY"), (100, "QUARTERLY"), (190, "HALF_YEARLY"),
                        (370, "YEARLY")):
        if days <= limit:
            return name
    return "ONE_TIME"


def _end_of(day: date) -> datetime:
    """The last second of a day in India."""
    return datetime.combine(day, time(23, 59, 59), IST)


def dates(bill: BillView, now: datetime) -> tuple[str, str]:
    """(generatedOn, dueDate): the start of the bill's period, never after now nor on or
    after the due date (a bill whose period began after it fell due: the day before)."""
    due = _end_of(bill.due_date)
    start = datetime.combine(bill.period_start, time(0, 0), IST)
    made = min(start, now, due - timedelta(days=1))
    return iso(made), iso(due)


def bill_object(bill: BillView, *, exactness: str, now: datetime) -> dict[str, Any]:
    """One bill in the contract's shape."""
    generated, due = dates(bill, now)
    items = [{"code": item.head, "displayName": item.head,
              "aggregates": {"total": {"currencyCode": "INR", "value": item.amount_paise}}}
             for item in bill.items] if len(bill.items) <= MAX_ITEMS else []
    return {"billerBillID": bill.id, "generatedOn": generated, "dueDate": due,
            "recurrence": recurrence(bill), "amountExactness": exactness,
            "customerAccount": {"id": bill.consumer_no}, "items": items,
            "aggregates": {"total": {"displayName": "Total payable",
                                     "amount": {"value": bill.amount_paise,
                                                "currencyCode": "INR"}}}}


def accepts(exactness: str, due_paise: int, paid_paise: int) -> bool:
    """Whether an amount keeps the bill's rule."""
    if exactness == "EXACT_UP":
        return paid_paise >= due_paise
    return paid_paise == due_paise
