"""A whole grievance conversation in Hindi, Tamil, Bengali and Urdu, on SMS and on web chat.

The citizen picks their language by typing its name in its own script, files a grievance
answering with numbers typed in that script's digits and with that language's word for yes,
gets the number back, then tracks it — and every reply is written in the language's script.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

import pytest

from i18n import KNOWN, Keyword, translate
from i18n.normalize import keyword_words
from services.grievances.models import Grievance
from tests.support.gateway import LiveGateway, SmsPhone, WebVisitor

GRIEVANCE_ID = re.compile(r"PB-AMR-\d{4}-\d{6}")
SCRIPT = {"hi": "DEVANAGARI", "ta": "TAMIL", "bn": "BENGALI", "ur": "ARABIC"}
DIGITS = {"hi": "०१२३४५६७८९", "ta": "௦௧௨௩௪௫௬௭௮௯", "bn": "০১২৩৪৫৬৭৮৯", "ur": "۰۱۲۳۴۵۶۷۸۹"}
DESCRIPTION = {
    "hi": "गली में तीन दिन से कचरा पड़ा है",
    "ta": "தெருவில் மூன்று நாட்களாக குப்பை கிடக்கிறது",
    "bn": "গলিতে তিন দিন ধরে আবর্জনা পড়ে আছে",
    "ur": "گلی میں تین دن سے کچرا پڑا ہے",
}


def share_in_script(text: str, code: str) -> float:
    """The share of letters outside ids and numbers that are in the language's script."""
    letters = [ch for ch in GRIEVANCE_ID.sub("", text) if unicodedata.category(ch)[0] == "L"]
    native = [ch for ch in letters if unicodedata.name(ch, "").startswith(SCRIPT[code])]
    return len(native) / max(1, len(letters))


def conversation(code: str, say: Callable[[str], str],
                 skip: Callable[[], str] | None = None) -> str:
    """File and then track a grievance; returns the grievance id. `skip` presses Skip at the
    location and photo questions of a channel that asks them (the web chat)."""
    one = DIGITS[code][1]
    say("hello")
    menu = say(KNOWN[code].endonym)  # the language named in its own script
    assert share_in_script(menu, code) > 0.8, menu
    assert share_in_script(say(one), code) > 0.8  # file a grievance
    category = say(one)  # first category (names may be Latin)
    if skip is not None:
        assert share_in_script(category, code) > 0.8, category  # where is it?
        category = skip()
    assert share_in_script(category, code) > 0.6
    assert share_in_script(say(one), code) > 0.6  # first locality
    confirm = say(DESCRIPTION[code])
    if skip is not None:
        assert share_in_script(confirm, code) > 0.8, confirm  # a photo?
        confirm = skip()
    assert DESCRIPTION[code] in confirm
    filed = say(keyword_words(code, Keyword.YES)[0])
    found = GRIEVANCE_ID.search(filed)
    assert found, filed
    assert share_in_script(filed, code) > 0.8, filed
    say(keyword_words(code, Keyword.MENU)[0])
    say(DIGITS[code][2])  # track
    status = say(found.group())
    assert found.group() in status
    assert translate(code, "status.open") in status
    return found.group()


@pytest.mark.parametrize("code", sorted(SCRIPT))
def test_sms_conversation_in_language(gateway: LiveGateway, code: str) -> None:
    phone = SmsPhone(gateway)
    public_id = conversation(code, phone.chat)
    assert gateway.count(Grievance, Grievance.public_id == public_id,
                         Grievance.channel == "sms") == 1


@pytest.mark.parametrize("code", sorted(SCRIPT))
def test_web_chat_conversation_in_language(gateway: LiveGateway, code: str) -> None:
    visitor = WebVisitor(gateway)
    public_id = conversation(code, visitor.chat,
                             skip=lambda: visitor.chat(translate(code, "common.skip"), "skip"))
    assert gateway.count(Grievance, Grievance.public_id == public_id,
                         Grievance.channel == "webchat") == 1
