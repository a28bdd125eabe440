"""The bill registry interface: what looking up, listing and settling bills means.

The built-in registry (`payments.bills.builtin`) keeps bills in our database; a platform
connector (DIGIT/UPYOG billing and collection) implements the same protocol and registers in
`payments.bills.factory`. Amounts are integer paise; dates are the city's (IST) calendar days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol


class BillService(StrEnum):
    """The services a city bills for (codes, rendered through `service.<code>` catalog keys)."""

    PROPERTY_TAX = "property_tax"
    WATER = "water"
    SEWERAGE = "sewerage"
    TRADE_LICENCE = "trade_licence"


class BillStatus(StrEnum):
    """Where a bill stands."""

    UNPAID = "unpaid"
    PAID = "paid"
    CANCELLED = "cancelled"


class BillError(Exception):
    """A lookup or settlement refused, with a code (never English for citizens)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class BillItem:
    """One line of a bill: a tax head, a rebate (negative) or a penalty, in paise."""

    head: str
    amount_paise: int


@dataclass(frozen=True)
class BillView:
    """A bill as the conversation and the payment code see it."""

    id: str
    tenant_id: str
    service: BillService
    consumer_no: str
    bill_no: str
    period_start: date
    period_end: date
    items: tuple[BillItem, ...]
    amount_paise: int
    due_date: date
    status: BillStatus
    payer_name: str | None = None

    def overdue(self, today: date) -> bool:
        """Unpaid after its due date."""
        return self.status is BillStatus.UNPAID and today > self.due_date

    @property
    def payable(self) -> bool:
        """Whether a payment may be started for it."""
        return self.status is BillStatus.UNPAID and self.amount_paise > 0


class BillRegistry(Protocol):
    """A tenant's bills, on one database session (a connector may call its platform)."""

    tenant_id: str

    def lookup(self, service: BillService | str, consumer_no: str) -> list[BillView]:
        """The bills of one consumer number, newest period first; `BillError`
        (`unknown_service`, `invalid_consumer_number`) when the input is not one."""
        ...

    def for_mobile(self, mobile_e164: str) -> list[BillView]:
        """Bills whose owner registered this mobile number ("my bills"), newest first."""
        ...

    def get(self, bill_id: str) -> BillView | None:
        """One bill of this tenant by id; None when it is not theirs or does not exist."""
        ...

    def settle(self, bill_id: str, *, payment_ref: str, amount_paise: int,
               paid_at: datetime) -> bool:
        """Mark the bill paid by this payment; False when it was already paid (by another)."""
        ...
