"""Every script of our languages is drawn with the gateway's own Noto fonts, not as empty boxes.

This machine has no Indic or Urdu system fonts (only DejaVu and Liberation), like a Linux kiosk
or a CSC PC: without the web fonts Chromium draws "tofu", one blank box per character.
"""

from __future__ import annotations

import subprocess

import pytest
from playwright.sync_api import expect

from i18n import LANGUAGES
from tests.web.conftest import PHONE, Chat

pytestmark = pytest.mark.browser

# The family name inside each TTF the gateway serves (services/fonts.py).
NOTO = {"Latn": "Noto Sans", "Deva": "Noto Sans Devanagari", "Beng": "Noto Sans Bengali",
        "Guru": "Noto Sans Gurmukhi", "Gujr": "Noto Sans Gujarati", "Orya": "Noto Sans Oriya",
        "Taml": "Noto Sans Tamil", "Telu": "Noto Sans Telugu", "Knda": "Noto Sans Kannada",
        "Mlym": "Noto Sans Malayalam", "Arab": "Noto Nastaliq Urdu"}

WIDTHS = """([text, family]) => {
  const probe = document.createElement('span');
  probe.style.cssText = 'position:absolute;white-space:pre;font-size:40px;font-family:' + family;
  probe.textContent = text;
  document.body.append(probe);
  const width = probe.getBoundingClientRect().width;
  probe.remove();
  return width;
}"""


def test_no_system_font_covers_our_scripts() -> None:
    """The premise: fontconfig knows no font for Hindi, Tamil or Urdu on this machine."""
    for lang in ("hi", "ta", "ur"):
        listed = subprocess.run(["fc-list", f":lang={lang}"], capture_output=True, text=True,
                                check=True).stdout.strip()
        assert listed == "", f"a system font covers {lang}: {listed}"


def test_every_language_button_is_drawn_with_its_scripts_web_font(chat: Chat) -> None:
    """Each endonym of the language menu (all pages) is drawn with its own script's Noto face."""
    chat.open()
    checked: set[str] = set()
    while True:
        for code, lang in LANGUAGES.items():
            button = f'.choices:not(.answered) button.choice[data-choice="{code}"]'
            if code in checked or chat.page.locator(button).count() == 0:
                continue
            fonts = chat.platform_fonts(button)
            drawn = {str(f["familyName"]) for f in fonts if f["isCustomFont"]}
            assert NOTO[lang.script] in drawn, (code, fonts)
            checked.add(code)
        more = chat.active.filter(has_text="More options")
        if checked == set(LANGUAGES) or more.count() == 0:
            break
        chat.click(more)
    assert checked == set(LANGUAGES)


def test_hindi_tamil_urdu_are_not_tofu_on_a_phone(chat: Chat) -> None:
    """Real glyphs: widths differ from the fallback's boxes; the Urdu menu uses Nastaliq."""
    chat.viewport = PHONE
    chat.open()
    page = chat.page
    page.evaluate("document.fonts.ready")
    for text in ("नगर सेतु शिकायत", "நகர சேது புகார்", "شکایت درج کریں"):
        web = page.evaluate(WIDTHS, [text, '"NagarSetu", sans-serif'])
        tofu = page.evaluate(WIDTHS, [text, "sans-serif"])
        assert abs(web - tofu) > 5, (text, web, tofu)
    chat.click(chat.button("اردو"))
    expect(page.locator("html")).to_have_attribute("lang", "ur")
    page.evaluate("document.fonts.ready")
    menu = "#messages > li.bot:last-child .text"
    drawn = {str(f["familyName"]) for f in chat.platform_fonts(menu) if f["isCustomFont"]}
    assert "Noto Nastaliq Urdu" in drawn
    loaded = page.evaluate("[...document.fonts].filter(f => f.status === 'loaded')"
                           ".map(f => f.family.replaceAll('\"', '') + ' ' + f.unicodeRange)")
    for first in ("U+900-97F", "U+B80-BFF", "U+600-6FF"):  # Devanagari, Tamil, Arabic faces
        assert any(face.startswith("NagarSetu " + first) for face in loaded), (first, loaded)
    assert chat.screenshot("fonts-urdu-phone").stat().st_size > 10_000
