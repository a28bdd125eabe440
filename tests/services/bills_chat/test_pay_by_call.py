"""A caller pays a bill: the consumer number typed on the keypad, the amount and due date
read out in their language, the payment link sent by SMS, the receipt by SMS once paid."""

from __future__ import annotations

import pytest

from i18n import translate
from i18n.format import format_money
from tests.services.bills_chat.citizen import LINK, RECEIPT_NO, UPI, pay
from tests.services.voice.conftest import HINDI, inbox, new_number, press, twilio_call
from tests.support.gateway import LiveGateway

LANGUAGE_KEYS = {"hi": HINDI, "bn": ("9", "4"), "ta": ("9", "5", "1")}
"""Keys to a language in the demo state's menu (English alone first, "9" for the others)."""
PROPERTY = "2301009981"
"""Rajesh Kumar's property: its tax is overdue, ₹14,375.00 (anyone may pay it)."""


@pytest.mark.parametrize("code", ["hi", "ta", "bn"])
def test_a_caller_types_the_property_number_and_gets_the_link_by_sms(
        gateway: LiveGateway, code: str) -> None:
    caller = new_number()
    call = twilio_call(gateway, caller=caller)
    call.start()
    menu = " ".join(press(call, LANGUAGE_KEYS[code]))
    assert translate(code, "menu.prompt") in menu
    assert translate(code, "bill.ask_service") in " ".join(call.answer("3"))  # pay a bill
    asked = " ".join(call.answer("2"))  # property tax
    assert translate(code, "voice.bill.ask_number") in asked and "http" not in asked
    shown = " ".join(call.answer(PROPERTY))  # typed on the keypad
    assert translate(code, "bill.ask_pay", {"amount": "\0"}).split("\0")[0] in shown, shown
    assert "14" in shown and "375" in shown, shown  # the amount, said as a number
    said = " ".join(call.answer("1"))  # yes
    assert "http" not in said and "upi://" not in said, said
    heard = translate(code, "voice.pay.link", {"amount": "\0"}).split("\0")[0]
    assert heard in said, said  # the link is on its way by SMS
    (link_sms,) = inbox(gateway, caller)  # made by a worker, after the call's turn
    assert LINK.search(link_sms) and UPI.search(link_sms), link_sms
    attempt = pay(gateway, link_sms)
    assert attempt.amount_paise == 1437500
    assert format_money(attempt.amount_paise, code) in link_sms
    got = inbox(gateway, caller, at_least=2, timeout=15)
    assert len(got) == 2 and RECEIPT_NO.search(got[1]), got
    assert format_money(1437500, code) in got[1]
