"""The web chat page in a real browser (Debian's Chromium) against a live gateway."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Route, expect

from services.grievances.models import Grievance
from tests.web.conftest import DEVANAGARI, Chat, Chromium

pytestmark = pytest.mark.browser

ARABIC = re.compile(r"[\u0600-\u06FF]{3,}")
NUMBER = re.compile(r"PB-AMR-\d{4}-\d{6}")
DESCRIPTION = "तीन दिन से कूड़ा नहीं उठाया गया\nगली में बहुत बदबू है"


def start_in_hindi(chat: Chat) -> None:
    """Open the chat and pick हिन्दी from the language buttons."""
    chat.open()
    expect(chat.button("English")).to_be_visible()
    chat.click(chat.button("हिन्दी"))
    expect(chat.page.locator("html")).to_have_attribute("lang", "hi")


def file_up_to_confirm(chat: Chat) -> None:
    """Menu → category → (no location) → locality → description → (no photo), stopping at the
    yes/no question."""
    chat.click(chat.option("grievance"))
    chat.click(chat.button("कचरा नहीं उठाया गया"))
    chat.click(chat.option("skip"))  # the web chat asks for a location first
    chat.click(chat.button("रणजीत एवेन्यू"))
    chat.say(DESCRIPTION)
    summary = chat.click(chat.option("skip"))  # and for a photo
    expect(summary).to_contain_text("रणजीत एवेन्यू")
    expect(chat.option("yes")).to_be_visible()


def test_file_a_grievance_in_hindi_with_buttons(chat: Chat) -> None:
    """Language, category and locality by button, free text, confirm: a number comes back."""
    start_in_hindi(chat)
    language_buttons = chat.bot.first.locator("button.choice")
    expect(language_buttons).not_to_have_count(0)
    for index in range(language_buttons.count()):
        expect(language_buttons.nth(index)).to_be_disabled()
    expect(chat.bot.first.locator("button.chosen")).to_contain_text("हिन्दी")
    expect(chat.bot.last).to_have_attribute("lang", "hi")
    expect(chat.bot.last).to_have_attribute("dir", "ltr")

    file_up_to_confirm(chat)
    description = chat.mine.nth(-2).locator(".text")  # before the photo's "skip"
    assert description.inner_text() == DESCRIPTION  # line breaks survive, both ways
    assert "गली में बहुत बदबू है" in chat.bot.last.inner_text().split("\n")

    filed = chat.click(chat.option("yes"))
    expect(filed).to_contain_text(NUMBER)
    assert DEVANAGARI.search(filed.inner_text())
    expect(chat.page.locator("#announcer")).to_contain_text(NUMBER)
    expect(chat.active).to_have_count(0)  # the yes/no buttons are spent
    assert chat.gateway.count(Grievance) == 1


def _storage(chat: Chat) -> dict[str, Any]:
    """The page's localStorage, each visitor token cut to its visitor (tokens are renewed)."""
    data: dict[str, Any] = json.loads(chat.page.evaluate("JSON.stringify({...localStorage})"))
    for key, value in data.items():
        try:
            inner = json.loads(value)
        except ValueError:
            continue
        if isinstance(inner, dict) and isinstance(inner.get("token"), str):
            data[key] = {**inner, "token": inner["token"].split(".")[0]}
    return data


def test_track_guide_back_and_reload(chat: Chat) -> None:
    """Track by typing "2", nonsense leads back to the menu, a reload keeps the history."""
    start_in_hindi(chat)
    file_up_to_confirm(chat)
    number = NUMBER.search(chat.click(chat.option("yes")).inner_text())
    assert number

    listing = chat.say("2")
    expect(listing.locator("button.choice")).to_have_count(1)
    status = chat.click(chat.active.filter(has_text=number.group()))
    expect(status).to_contain_text(number.group())
    expect(status).to_contain_text(DEVANAGARI)

    guide = chat.say("qwzx blorp")
    expect(guide).to_be_visible()
    expect(guide.locator("button.choice:enabled")).not_to_have_count(0)
    expect(chat.option("grievance")).to_be_enabled()

    stored = _storage(chat)
    bubbles = chat.page.locator("#messages > li")
    before = [(li.get_attribute("class"), li.locator(".text").inner_text())
              for li in bubbles.all()]
    chat.page.reload()
    expect(bubbles).to_have_count(len(before))
    after = [(li.get_attribute("class"), li.locator(".text").inner_text())
             for li in bubbles.all()]
    assert after == before
    assert _storage(chat) == stored  # the same visitor (its token renewed) and outbox
    expect(chat.page.locator("#messages > li.bot", has_text=number.group())).to_have_count(3)
    expect(chat.option("grievance")).to_be_enabled()  # the menu is still answerable
    expect(chat.page.locator("html")).to_have_attribute("lang", "hi")


def test_keyboard_only(chat: Chat) -> None:
    """Tab to a choice, Enter to pick it; focus moves on to the next set of buttons."""
    chat.open()
    page = chat.page
    page.locator("#input").focus()
    for _ in range(10):
        if page.evaluate("document.activeElement.dataset.choice") == "en":
            break
        page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.dataset.choice") == "en"
    seen = chat.bot.count()
    page.keyboard.press("Enter")
    chat.wait_reply(seen)
    expect(page.locator("button.choice:focus")).to_have_attribute("data-choice", "grievance")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    for _ in range(5):  # file, track, pay a bill, my payments, language, help
        page.keyboard.press("Tab")
    expect(page.locator("button.choice:focus")).to_have_attribute("data-choice", "help")
    seen = chat.bot.count()
    page.keyboard.press("Enter")
    reply = chat.wait_reply(seen)
    expect(reply.locator("button.choice").first).to_be_focused()
    expect(chat.bot.nth(1).locator("button.choice").first).to_be_disabled()


def test_unreachable_gateway_then_lost_response_files_once(chat: Chat) -> None:
    """Failed and lost posts show "sending…" and a banner; retries reuse the id, file once."""
    start_in_hindi(chat)
    file_up_to_confirm(chat)
    page = chat.page
    posted: list[dict[str, str]] = []

    def flaky(route: Route) -> None:
        """First attempt: no connection. Second: delivered but the answer is lost."""
        posted.append(json.loads(route.request.post_data or "{}"))
        if len(posted) == 1:
            route.abort("connectionrefused")
        elif len(posted) == 2:
            route.fetch()
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/webhooks/webchat/**", flaky)
    seen = chat.bot.count()
    chat.option("yes").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text(DEVANAGARI)
    expect(chat.mine.last).to_have_attribute("data-state", "sending")
    expect(chat.mine.last).to_contain_text("भेजा जा रहा है…")
    page.get_by_role("button", name="फिर से कोशिश करें").click()  # don't wait for the backoff
    filed = chat.wait_reply(seen)
    expect(filed).to_contain_text(NUMBER)
    expect(page.locator("#banner")).to_be_hidden()
    expect(chat.mine.last).to_have_attribute("data-state", "delivered")
    page.wait_for_function(  # the kept copy of the message is gone once a post succeeded
        "() => JSON.parse(localStorage.getItem('nagarsetu.webchat.default')).outbox.length == 0")
    assert len(posted) == 3, posted
    assert len({p["id"] for p in posted}) == 1, posted
    assert chat.gateway.count(Grievance) == 1
    expect(chat.bot.filter(has_text=NUMBER)).to_have_count(1)


def test_a_refused_message_is_marked_and_the_chat_goes_on(chat: Chat) -> None:
    """A 4xx answer is not retried: the bubble says "not sent", the next message works."""
    chat.open()
    page = chat.page
    page.route("**/webhooks/webchat/**",
               lambda route: route.fulfill(status=400, json={"error": "malformed_payload"}))
    page.locator("#input").fill("this one bounces")
    page.locator("#input").press("Enter")
    expect(chat.mine.last).to_have_attribute("data-state", "failed")
    expect(chat.mine.last).to_contain_text("Not sent")
    expect(page.get_by_role("alert")).to_contain_text("could not be sent")
    page.unroute("**/webhooks/webchat/**")
    chat.click(chat.button("English"))
    expect(page.locator("#banner")).to_be_hidden()
    expect(chat.mine.last).to_have_attribute("data-state", "delivered")


def test_unknown_city_says_so(chat: Chat) -> None:
    """A tenant without web chat gets a clear message and a disabled composer."""
    chat.page.goto(chat.gateway.base_url + "/chat?tenant=xx.nowhere")
    expect(chat.page.get_by_role("alert")).to_contain_text("not available")
    expect(chat.page.locator("#input")).to_be_disabled()
    expect(chat.page.locator("#send")).to_be_disabled()


def test_page_loads_nothing_from_other_origins(chat: Chat) -> None:
    """Every request the page makes goes to the gateway itself (machines are offline)."""
    chat.open()
    chat.click(chat.button("English"))
    origin = urlsplit(chat.gateway.base_url)
    assert chat.requests
    others = [u for u in chat.requests if urlsplit(u)[:2] != origin[:2]]
    assert not others, others
    paths = {urlsplit(u).path for u in chat.requests}
    assert {"/chat", "/static/chat.js", "/static/chat.css", "/webchat/session"} <= paths


def test_urdu_bubbles_are_right_to_left(chat: Chat) -> None:
    """A conversation in Urdu (not shipped yet) renders with lang=ur and dir=rtl."""
    page = chat.page
    token = "web:" + "0" * 32 + ".sig"

    def session(route: Route) -> None:
        """A canned session for a city whose web chat speaks Urdu."""
        route.fulfill(json={"token": token, "account": "acc", "tenant": "pb.amritsar",
                            "post_url": "/webhooks/webchat/acc", "default_language": "ur",
                            "tenant_names": {"en": "Amritsar", "ur": "امرتسر"}})

    def feed(route: Route) -> None:
        """One Urdu bot message with two choices."""
        route.fulfill(json={"language": "ur", "dir": None, "messages": [{
            "id": "m1", "direction": "out", "text": "اپنی زبان منتخب کریں\nدوسری سطر",
            "choices": [{"id": "ur", "label": "اردو"}, {"id": "en", "label": "English"}],
            "ask": "choice", "status": "delivered", "at": "2025-01-02T03:04:05.123456+00:00",
            "language": "ur", "ref": None, "payload": None}]})

    page.route("**/webchat/session", session)
    page.route("**/webchat/acc/messages*", feed)
    chat.open()
    bubble = chat.bot.first
    expect(bubble).to_have_attribute("lang", "ur")
    expect(bubble).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("#city")).to_have_text("امرتسر")
    assert bubble.locator(".text").inner_text() == "اپنی زبان منتخب کریں\nدوسری سطر"
    expect(chat.bot).to_have_count(1)  # polled again and again, shown once


def test_a_real_urdu_conversation_is_right_to_left(chat: Chat) -> None:
    """Choosing اردو makes the bot answer in Urdu, right to left, in the Nastaliq font stack."""
    chat.open()
    chat.click(chat.button("اردو"))
    expect(chat.page.locator("html")).to_have_attribute("lang", "ur")
    menu = chat.bot.last
    expect(menu).to_have_attribute("dir", "rtl")
    expect(menu).to_contain_text(ARABIC)
    font = menu.evaluate("node => getComputedStyle(node).fontFamily")
    assert "Nastaliq" in font


def test_missing_chromium_fails_rather_than_skips(tmp_path: Path) -> None:
    """Without /usr/bin/chromium the browser tests fail, with an install hint."""
    launcher = Chromium(tmp_path / "chromium")
    with pytest.raises(pytest.fail.Exception, match="apt-get install -y chromium"):
        launcher.browser()
