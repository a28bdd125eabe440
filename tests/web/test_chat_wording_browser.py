"""Words and digits as a citizen reads them: one digit style per message, the brand in the
chosen language, and no "type its number" where the choices are buttons without numbers."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from bots.prompts import Prompt, msg
from i18n import translate
from services.conversation.render import render_prompt
from tests.web.conftest import PHONE, Chat

pytestmark = pytest.mark.browser

LATIN_DIGIT = re.compile(r"[0-9]")
OTHER_DIGITS = re.compile(r"[\u0660-\u0669\u06F0-\u06F9\u0966-\u096F\u09E6-\u09EF]")


def file_up_to_the_number(chat: Chat) -> None:
    """Menu → first category → first locality → a description → yes, in whatever language."""
    chat.click(chat.option("grievance"))
    chat.click(chat.active.first)
    while chat.option("yes").count() == 0:
        if chat.bot.last.locator("button.choice:enabled").count():
            chat.click(chat.option("skip") if chat.option("skip").count() else chat.active.first)
        else:
            chat.say("مندر کے پاس تین دن سے کوڑا نہیں اٹھایا گیا")
    chat.click(chat.option("yes"))


def test_urdu_uses_one_digit_style_in_every_message(chat: Chat) -> None:
    """Times beside the bubbles use the Latin digits the messages' dates and numbers use."""
    chat.viewport = PHONE
    chat.open()
    chat.click(chat.button("اردو"))
    file_up_to_the_number(chat)
    filed = chat.bot.last
    expect(filed).to_contain_text(re.compile(r"PB-AMR-\d{4}-\d{6}"))
    for index in range(chat.bot.count()):
        bubble = chat.bot.nth(index).inner_text()
        assert not OTHER_DIGITS.search(bubble), bubble
    assert LATIN_DIGIT.search(filed.locator("time").inner_text())
    chat.screenshot("urdu-digits-phone")


def test_the_header_brand_follows_the_language(chat: Chat) -> None:
    """The header and the tab title are in the language chosen, not Hindi for everyone."""
    chat.open()
    brand = chat.page.locator("header .brand")
    expect(brand).to_have_text(translate("en", "web.brand"))
    chat.click(chat.button("தமிழ்"))
    expect(brand).to_have_text(translate("ta", "web.brand"))
    expect(brand).to_have_attribute("lang", "ta")
    assert chat.page.title() == translate("ta", "web.brand")
    chat.click(chat.option("language"))
    chat.click(chat.option("ur"))
    expect(brand).to_have_text("نگر سیتو")
    assert "नगर" not in brand.inner_text()


def test_buttons_are_not_asked_to_be_typed_by_number(chat: Chat) -> None:
    """A wrong answer at a choice on the web chat asks for a tap, not a number it never shows."""
    chat.open()
    chat.click(chat.button("English"))
    chat.click(chat.option("grievance"))
    again = chat.say("something else entirely")
    expect(again).to_contain_text("tap one of the options")
    assert "number" not in again.inner_text()
    expect(chat.active.first).to_be_visible()


def test_numbered_channels_keep_the_number_wording() -> None:
    """SMS shows numbered menus, so there the message still says to type the number."""
    prompt = Prompt((msg("error.not_understood"),))
    assert "type its number" in render_prompt(prompt, "en")[0]
    assert "type its number" not in render_prompt(prompt, "en", numbered=False)[0]
    assert render_prompt(prompt, "hi", numbered=False)[0] == translate(
        "hi", "error.not_understood.tap")
