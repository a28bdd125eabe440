"""Whole conversations, lookup → pay → receipt, on SMS, WhatsApp, Telegram and the web chat,
in Hindi, Tamil and Bengali: the citizen answers in their own digits, pays on the Razorpay
simulator (which posts correctly signed webhooks), and the signed receipt arrives on the same
channel, in their language, with a verification URL and a PDF link that both work."""

from __future__ import annotations

import pytest

from i18n import KNOWN, Keyword, translate
from i18n.format import format_money
from i18n.normalize import keyword_words
from payments.models import PaymentAttempt
from tests.services.bills_chat.citizen import (
    DIGITS,
    PDF,
    QR,
    RECEIPT_NO,
    UPI,
    VERIFY,
    Channel,
    native,
    pay,
    phone_channel,
    share_in_script,
    web_channel,
)
from tests.support.gateway import LiveGateway

CODES = ("hi", "ta", "bn")
SERVICE_KEY = {"property_tax": 2, "water": 3, "sewerage": 4, "trade_licence": 5}
"""Where each service is in the "which bill?" list ("my bills" is 1)."""


def to_bills(ch: Channel, code: str) -> None:
    """Choose the language by its name, then "pay a bill" from the main menu."""
    ch.say("hello")
    menu = ch.say(KNOWN[code].endonym)
    assert translate(code, "menu.bills") in menu and translate(code, "menu.payments") in menu
    asked = ch.say(DIGITS[code][3])
    assert translate(code, "bill.ask_service") in asked, asked


def find(ch: Channel, code: str, service: str | None, number: str = "") -> str:
    """Ask for a service's bill by its number typed in native digits, or "my bills"."""
    if service is None:
        found = ch.say(DIGITS[code][1])
    else:
        assert translate(code, "bill.ask_number") in ch.say(DIGITS[code][SERVICE_KEY[service]])
        found = ch.say(native(number, code))
    if translate(code, "bill.ask_which") in found:
        found = ch.say(DIGITS[code][1])  # the first (unpaid bills come first)
    return found


def pay_and_get_receipt(gateway: LiveGateway, ch: Channel, code: str, shown: str,
                        images: bool) -> tuple[PaymentAttempt, str]:
    """Say yes to paying, pay on the simulator, wait for the receipt message."""
    assert translate(code, "bill.ask_pay", {"amount": "\0"}).split("\0")[0] in shown, shown
    assert share_in_script(shown, code) > 0.6, shown
    links = ch.say(keyword_words(code, Keyword.YES)[0])
    assert UPI.search(links) and "&cu=INR" in links, links
    assert ("[image]" in links or "[photo]" in links) is images, links
    qr = QR.search(links)
    assert (qr is not None) is images
    if qr is not None:
        picture = ch_get(gateway, qr.group())
        assert picture.status_code == 200 and picture.content.startswith(b"\x89PNG")
    attempt = pay(gateway, links)
    amount = format_money(attempt.amount_paise, code)
    assert amount in links and amount in shown
    assert f"am={attempt.amount_paise // 100}.{attempt.amount_paise % 100:02d}" in links
    assert f"tr={attempt.id}" in links
    receipt = ch.wait()
    assert RECEIPT_NO.search(receipt), receipt
    assert amount in receipt and share_in_script(receipt, code) > 0.6, receipt
    verify = VERIFY.search(receipt)
    assert verify is not None
    check = ch_get(gateway, verify.group() + "&format=json")
    assert check.json()["genuine"] is True, (verify.group(), check.text)
    link = PDF.search(receipt)
    assert link is not None
    pdf = ch_get(gateway, link.group())
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    if qr is not None:  # paid: the picture cannot take money again
        assert ch_get(gateway, qr.group()).status_code == 410
    return attempt, receipt


def ch_get(gateway: LiveGateway, url: str):  # type: ignore[no-untyped-def]
    """GET one of the gateway's own links as a provider would fetch it."""
    return gateway.http.get(url.replace(gateway.base_url, ""))


def my_payments(ch: Channel, code: str, receipt: str) -> None:
    """"My payments" lists the payment with its receipt number."""
    ch.say(keyword_words(code, Keyword.MENU)[0])
    listed = ch.say(DIGITS[code][4])
    number = RECEIPT_NO.search(receipt)
    assert number and number.group() in listed, listed
    assert translate(code, "payments.list", {"items": "\0"}).split("\0")[0] in listed


@pytest.mark.parametrize("code", CODES)
def test_sms_my_bills_by_mobile_then_pay(gateway: LiveGateway, code: str) -> None:
    ch = phone_channel(gateway, "twilio-sms", "+919876500001")
    to_bills(ch, code)
    shown = find(ch, code, None)
    attempt, receipt = pay_and_get_receipt(gateway, ch, code, shown, images=False)
    assert attempt.contact_id is not None  # the attempt knows whom to tell
    my_payments(ch, code, receipt)


@pytest.mark.parametrize("code", CODES)
def test_whatsapp_my_bills_with_the_qr_picture(gateway: LiveGateway, code: str) -> None:
    ch = phone_channel(gateway, "whatsapp-cloud", "+919876500002")
    to_bills(ch, code)
    shown = find(ch, code, None)
    assert translate(code, "bill.overdue", {"due": "\0"}).split("\0")[0] in shown
    _, receipt = pay_and_get_receipt(gateway, ch, code, shown, images=True)
    my_payments(ch, code, receipt)


@pytest.mark.parametrize("code", CODES)
def test_telegram_property_number_in_native_digits(gateway: LiveGateway, code: str) -> None:
    ch = phone_channel(gateway, "telegram", "+919812345678")
    to_bills(ch, code)
    shown = find(ch, code, "property_tax", "2301-009-981")
    assert "2301009981" in shown
    pay_and_get_receipt(gateway, ch, code, shown, images=True)


@pytest.mark.parametrize("code", CODES)
def test_web_chat_trade_licence_picked_from_two_bills(gateway: LiveGateway, code: str) -> None:
    ch = web_channel(gateway)
    to_bills(ch, code)
    shown = find(ch, code, "trade_licence", "700 0123")
    for head in ("bill.head.licence_fee", "bill.head.rebate"):
        assert translate(code, head) in shown, shown
    _, receipt = pay_and_get_receipt(gateway, ch, code, shown, images=True)
    assert "/TL/" in receipt
    my_payments(ch, code, receipt)
