"""The simulator's pay page in a real browser: a citizen pays by UPI, the bill is paid."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.payments.conftest import City
from tests.payments.receipts_spy import Book
from tests.web.conftest import Chromium

pytestmark = pytest.mark.browser


@pytest.fixture
def chromium() -> Iterator[Chromium]:
    """A browser for this test alone, closed after it: Playwright's sync API holds an event
    loop in the thread while it runs, so a session-wide one started here would break every
    later test that runs asyncio (and a second instance, the web tests' browser)."""
    launcher = Chromium()
    yield launcher
    launcher.close()


def test_paying_on_the_page_captures_and_receipts(chromium: Chromium, city: City,
                                                  book: Book) -> None:
    attempt = city.start("TL-2026-0001")
    context = chromium.browser().new_context()
    try:
        page = context.new_page()
        page.goto(attempt.link_url or "")
        expect(page.locator("h1")).to_have_text("Pay ₹7125.00")
        page.locator("#pay").click()
        expect(page.locator("#status")).to_have_text("captured")
    finally:
        context.close()
    deadline = time.monotonic() + 10
    while not city.attempt(attempt.id).receipt_number:
        assert time.monotonic() < deadline, "no receipt after paying on the page"
        time.sleep(0.05)
    assert book.by_ref[attempt.id].data.amount_paise == 712500
