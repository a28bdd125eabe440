"""Bills and payments in the conversation: look a bill up, pay it, list one's payments.

Lookup is by the number printed on the bill for one service (property, connection or licence
number: validated by the city's format, any digits, spaces and dashes), or "my bills" by the
mobile number the citizen writes from. A payable bill is paid inside the conversation: a
payment link, a `upi://pay` intent and, where the channel shows images, the single-use UPI
QR; the receipt comes later, on the same channel, when the gateway reports the payment.

Message ids are written with the `N_` marker (Babel's Python extractor reads this module).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from bots.engine import static
from bots.flow import (
    AskText,
    Attach,
    Choose,
    Confirm,
    Flow,
    FromSlot,
    Invoke,
    MoneyOf,
    Show,
    Slot,
)
from bots.prompts import N_, Date, Lines, Money, Msg, Param

MINE = "mine"
SERVICES: Mapping[str, str] = {
    "property_tax": N_("receipt.service.property_tax"),
    "water": N_("receipt.service.water"),
    "sewerage": N_("receipt.service.sewerage"),
    "trade_licence": N_("receipt.service.trade_licence"),
}
"""The services a bill can be for, with the name each is said by."""
CHOICES: Mapping[str, str] = {
    "property_tax": N_("bill.service.property_tax"),
    "water": N_("bill.service.water"),
    "sewerage": N_("bill.service.sewerage"),
    "trade_licence": N_("bill.service.trade_licence"),
}
"""The services as short option labels (buttons)."""
HEADS: Mapping[str, str] = {
    "property_tax": N_("bill.head.property_tax"),
    "fire_cess": N_("bill.head.fire_cess"),
    "water_charges": N_("bill.head.water_charges"),
    "meter_rent": N_("bill.head.meter_rent"),
    "sewerage_charges": N_("bill.head.sewerage_charges"),
    "licence_fee": N_("bill.head.licence_fee"),
    "penalty": N_("bill.head.penalty"),
    "rebate": N_("bill.head.rebate"),
    "other": N_("bill.head.other"),
}
"""Tax heads a bill's items name (a head not listed is shown as "other")."""
STANDING: Mapping[str, str] = {
    "unpaid": N_("bill.due"),
    "overdue": N_("bill.overdue"),
    "paid": N_("bill.paid"),
}
"""Where a bill stands, said after its amount."""


def _day(value: Any) -> Date | str:
    """An ISO date from a service result as a date parameter ('' when absent)."""
    if not value:
        return ""
    day = date.fromisoformat(str(value)[:10])  # noon UTC: the same day in IST
    return Date(datetime(day.year, day.month, day.day, 12))


def service_name(service: Any) -> Msg:
    """A service's name (an unknown one: property tax's, never an error at the citizen)."""
    return Msg(SERVICES.get(str(service), SERVICES["property_tax"]))


def _bill_choice(item: Mapping[str, Any]) -> Msg:
    """One of several bills as an option label: service, amount, due date (or paid)."""
    named: dict[str, Param] = {"service": service_name(item.get("service")),
                               "amount": Money(int(item.get("amount_paise") or 0))}
    if item.get("status") == "paid":
        return Msg(N_("bill.choice_paid"), named)
    return Msg(N_("bill.choice"), {**named, "due": _day(item.get("due_date"))})


def bill_lines(slots: Mapping[str, Any]) -> Sequence[Msg]:
    """The bill shown: service and number, bill number and period, items, amount and due."""
    bill = slots.get("shown") or {}
    items = tuple(Msg(N_("bill.line"), {"head": Msg(HEADS.get(str(i["head"]), HEADS["other"])),
                                         "amount": Money(int(i["amount_paise"]))})
                  for i in bill.get("items", ()))
    standing = Msg(STANDING.get(str(bill.get("status")), STANDING["unpaid"]),
                   {"due": _day(bill.get("due_date"))})
    return (Msg(N_("bill.shown"), {
        "service": service_name(bill.get("service")), "consumer": str(bill.get("consumer_no")),
        "bill": str(bill.get("bill_no")), "start": _day(bill.get("period_start")),
        "end": _day(bill.get("period_end")), "items": Lines(items),
        "amount": Money(int(bill.get("amount_paise") or 0)), "standing": standing}),)


def pay_lines(slots: Mapping[str, Any]) -> Sequence[Msg]:
    """Where to pay: the link and the UPI intent (the QR goes as the message's image); on a
    call, that they are on their way by SMS."""
    payment = slots.get("payment") or {}
    if payment.get("by_sms"):
        return (Msg(N_("voice.pay.link"), {"amount": Money(int(payment["amount_paise"]))}),)
    return (Msg(N_("pay.link"), {"amount": Money(int(payment.get("amount_paise") or 0)),
                                  "link": str(payment.get("link_url") or ""),
                                  "upi": str(payment.get("upi_intent") or "")}),)


def payment_lines(slots: Mapping[str, Any]) -> Sequence[Msg]:
    """The citizen's recent payments, with their receipt numbers (or that one is coming)."""
    items = (slots.get("mine") or {}).get("items") or []
    if not items:
        return (Msg(N_("payments.none")),)
    lines = []
    for item in items:
        params = {"date": _day(item.get("date")), "service": service_name(item.get("service")),
                  "amount": Money(int(item["amount_paise"]))}
        if item.get("receipt"):
            lines.append(Msg(N_("payments.item"), {**params, "number": str(item["receipt"])}))
        else:
            lines.append(Msg(N_("payments.item_pending"), params))
    return (Msg(N_("payments.list"), {"items": Lines(tuple(lines))}),)


def _mine(slots: Mapping[str, Any]) -> bool:
    """The citizen asked for the bills of their own mobile number."""
    return slots.get("service") == MINE


def _several(slots: Mapping[str, Any]) -> bool:
    """The lookup found more than one bill: the citizen picks one."""
    return len((slots.get("found") or {}).get("items") or []) > 1


def _payable(slots: Mapping[str, Any]) -> bool:
    """The bill shown can be paid now."""
    return bool((slots.get("shown") or {}).get("payable"))


def _paying(slots: Mapping[str, Any]) -> bool:
    """The citizen said yes to paying the bill shown."""
    return _payable(slots) and slots.get("pay") == "yes"


PAY_ERRORS: Mapping[str, tuple[str, str | None]] = {
    "payments_unavailable": (N_("pay.unavailable"), None),
    "gateway_unavailable": (N_("pay.gateway_down"), None),
    "not_payable": (N_("pay.not_payable"), None),
    "not_found": (N_("bill.not_found"), None)}
"""What a payment that could not start tells the citizen."""

BILLS = Flow("bills", (
    Choose("service", N_("bill.ask_service"), static(
        (MINE, N_("bill.mine")), *CHOICES.items())),
    AskText("number", N_("bill.ask_number"), when=lambda slots: not _mine(slots)),
    Invoke("found", "bills.lookup", {"service": Slot("service"), "number": Slot("number")},
           errors={"invalid_consumer_number": (N_("bill.invalid_number"), "number"),
                   "not_found": (N_("bill.not_found"), None),
                   "no_mobile": (N_("bill.no_mobile"), "service")}),
    Choose("bill", N_("bill.ask_which"), FromSlot("found.items", "id", _bill_choice),
           when=_several),
    Invoke("shown", "bills.show", {"bill": Slot("bill"), "only": Slot("found.only")},
           errors={"not_found": (N_("bill.not_found"), None)}),
    Show("bill_text", bill_lines),
    Confirm("pay", N_("bill.ask_pay"), {"amount": MoneyOf(Slot("shown.amount_paise"))},
            when=_payable),
    Invoke("payment", "payments.start", {"bill": Slot("shown.id")}, errors=PAY_ERRORS,
           when=_paying),
    Attach("qr", "upi_qr", Slot("payment.qr"), when=_paying),
    Show("pay_text", pay_lines, when=_paying),
))

PAY_BY_SMS = Flow("pay_bill", (
    Invoke("payment", "payments.start", {"bill": Slot("bill")}, errors=PAY_ERRORS),
    Attach("qr", "upi_qr", Slot("payment.qr")),
    Show("pay_text", pay_lines),
), entry="bill")
"""A bill's payment started for the citizen by the service: a caller's, continued by SMS."""

MY_PAYMENTS = Flow("payments", (
    Invoke("mine", "payments.mine"),
    Show("list", payment_lines),
))
