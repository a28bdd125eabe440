"""Paying a bill in the web chat, in Chromium: the UPI QR is shown as a picture that loads,
above the payment link, and the receipt arrives in the same chat once the bill is paid."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from payments.razorpay import simulator
from tests.web.conftest import Chat

LINK = re.compile(r"/sim/razorpay/pay/(plink_\w+)")


def test_the_qr_picture_loads_and_the_receipt_follows(chat: Chat) -> None:
    simulator.reset()
    chat.open()
    chat.click(chat.option("en"))
    chat.click(chat.option("bills"))
    chat.click(chat.option("property_tax"))
    chat.say("2301-009-981")
    paying = chat.click(chat.option("yes"))
    picture = paying.locator("img.picture")
    expect(picture).to_be_visible()
    chat.page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                                arg=picture.element_handle())
    found = LINK.search(paying.inner_text())
    assert found, paying.inner_text()
    seen = chat.bot.count()
    simulator.pay(found.group(1))
    receipt = chat.wait_reply(seen)
    expect(receipt).to_contain_text(re.compile(r"AMR/PT/\d{4}-\d{2}/\d{6}"))
    simulator.reset()
