"""The page a receipt's QR code opens, in a real browser: genuine or not, in the reader's
language, with nothing private on it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from i18n import translate
from payments.receipts.issue import issue_receipt
from payments.receipts.links import verify_url
from tests.payments.receipts.support import payment
from tests.support.gateway import LiveGateway
from tests.web.conftest import ARTEFACTS, PHONE, Chromium

pytestmark = pytest.mark.browser


def test_scanning_the_qr_shows_a_genuine_receipt_in_hindi_and_a_forgery_as_such(
        chromium: Chromium, gateway: LiveGateway) -> None:
    with gateway.ctx.sessions() as db:
        receipt = issue_receipt(db, payment())
        db.commit()
    page = chromium.browser().new_page(viewport=PHONE)  # type: ignore[arg-type]
    try:
        page.goto(verify_url(gateway.base_url, receipt.number, receipt.signature, "hi"))
        verdict = page.locator("#verdict")
        expect(verdict).to_have_attribute("data-genuine", "true")
        expect(verdict).to_contain_text(translate("hi", "receipt.verify.genuine",
                                                  {"city": "अमृतसर"}))
        expect(page.locator("table")).to_contain_text("₹12,34,567.50")
        expect(page.locator("table")).to_contain_text("xxxxxxxx7781")
        assert "Harpreet" not in page.content() and "PT-0042-7781" not in page.content()
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTEFACTS / "receipt-verify-hi.png"))
        forged = receipt.signature[:-4] + "AAAA"
        page.goto(verify_url(gateway.base_url, receipt.number, forged, "ta"))
        expect(page.locator("#verdict")).to_have_attribute("data-genuine", "false")
        expect(page.locator("#verdict")).to_contain_text(
            translate("ta", "receipt.verify.not_genuine"))
        page.screenshot(path=str(ARTEFACTS / "receipt-verify-forged-ta.png"))
    finally:
        page.close()
