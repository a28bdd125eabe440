"""SMS length arithmetic per script: GSM-7 160/153, UCS-2 70/67."""

from __future__ import annotations

import pytest

from i18n import LANGUAGES, translate
from i18n.sms import Encoding, shorten, sms_length


@pytest.mark.parametrize(("text", "encoding", "units", "segments"), [
    ("", Encoding.GSM7, 0, 1),
    ("a" * 160, Encoding.GSM7, 160, 1),
    ("a" * 161, Encoding.GSM7, 161, 2),
    ("a" * 306, Encoding.GSM7, 306, 2),
    ("a" * 307, Encoding.GSM7, 307, 3),
    ("€" * 80, Encoding.GSM7, 160, 1),  # extension characters take two septets
    ("€" * 81, Encoding.GSM7, 162, 2),
    ("क" * 70, Encoding.UCS2, 70, 1),
    ("क" * 71, Encoding.UCS2, 71, 2),
    ("क" * 134, Encoding.UCS2, 134, 2),
    ("क" * 135, Encoding.UCS2, 135, 3),
    ("Pay ₹100" , Encoding.UCS2, 8, 1),  # the rupee sign is not in GSM-7
    ("a" * 100 + "क", Encoding.UCS2, 101, 2),  # one Indic letter makes it all UCS-2
    ("😀" * 35, Encoding.UCS2, 70, 1),  # outside the BMP: two UTF-16 units each
])
def test_segments(text: str, encoding: Encoding, units: int, segments: int) -> None:
    length = sms_length(text)
    assert (length.encoding, length.units, length.segments) == (encoding, units, segments)
    assert length.remaining >= 0


def test_remaining_room() -> None:
    assert sms_length("hello").remaining == 155
    assert sms_length("नमस्ते").remaining == 70 - len("नमस्ते")
    assert sms_length("a" * 200).remaining == 306 - 200


@pytest.mark.parametrize("code", sorted(c for c in LANGUAGES if c != "en"))
def test_indic_prompts_are_ucs2(code: str) -> None:
    assert sms_length(translate(code, "menu.prompt")).encoding is Encoding.UCS2


def test_english_prompts_stay_gsm7() -> None:
    assert sms_length(translate("en", "menu.prompt")).encoding is Encoding.GSM7


def test_shorten_cuts_at_a_word_boundary_with_an_ellipsis() -> None:
    assert shorten("no water since Monday", 100) == "no water since Monday"
    assert shorten("no water since Monday", 17) == "no water since..."  # GSM-7 stays GSM-7
    assert sms_length(shorten("no water since Monday", 17)).encoding.value == "GSM-7"
    assert shorten("गली में पानी नहीं आ रहा", 14) == "गली में पानी…"
    assert shorten("abcdefghij", 6) == "abc..."
    assert len(shorten("गली में पानी नहीं आ रहा", 14)) <= 14
    assert shorten("abc def", 2) == ""
