"""Speaking plans: ids digit by digit, amounts in lakh and crore, dates with CLDR month names."""

from __future__ import annotations

import string
import unicodedata
from datetime import UTC, date, datetime
from typing import Any

import pytest
from babel.dates import get_month_names

from i18n import LANGUAGES, translate
from i18n.languages import KNOWN
from i18n.voice import (
    Money,
    Plan,
    Ref,
    Spell,
    clip_ids,
    clip_texts,
    clips,
    free_clip,
    say_text,
    speak,
    spoken_message_ids,
)
from i18n.voice.plan import Amount, segments
from i18n.voice.words import WORD_NAMES, date_order, indian_terms, word

GRIEVANCE_ID = "PB-AMR-2026-000123"
ID_CLIPS = ["letter.P", "letter.B", "letter.A", "letter.M", "letter.R",
            "digit.2", "digit.0", "digit.2", "digit.6",
            "digit.0", "digit.0", "digit.0", "digit.1", "digit.2", "digit.3"]
LAKH_AMOUNT = ["number.1", "word.lakh", "number.23", "word.thousand", "number.4", "word.hundred",
               "number.56", "word.rupees", "number.50", "word.paise"]
CODES = sorted(LANGUAGES)


def sample(name: str) -> Any:
    """A plausible value for a placeholder, by its name."""
    values: dict[str, Any] = {"id": Spell(GRIEVANCE_ID), "due": date(2026, 12, 3),
                              "updated": datetime(2026, 11, 20, 10, 0, tzinfo=UTC),
                              "status": Ref("status.in_progress"), "count": 3}
    return values.get(name, "Ward 5, near the temple")


def placeholders(key: str) -> list[str]:
    """The placeholder names of a message in the default language."""
    return [n for _, n, _, _ in string.Formatter().parse(translate("en", key)) if n]


def amount(code: str, paise: int) -> Plan:
    """The plan of a bare amount."""
    return Plan(code, (Amount(paise),))


def contiguous(seq: list[str], sub: list[str]) -> bool:
    """Whether `sub` occurs in `seq` as one run."""
    return any(seq[i:i + len(sub)] == sub for i in range(len(seq) - len(sub) + 1))


@pytest.mark.parametrize("code", [c for c in ("hi", "ta", "bn", "ur") if c in LANGUAGES])
def test_grievance_id_is_read_letter_by_letter_and_digit_by_digit(code: str) -> None:
    plan = speak(code, "notify.status", {"id": Spell(GRIEVANCE_ID), "status": Ref("status.open")})
    assert contiguous(clip_ids(plan), ID_CLIPS)
    assert "P B, A M R, 2 0 2 6, 0 0 0 1 2 3" in say_text(plan)
    assert "status.open.0" in clip_ids(plan)
    assert translate(code, "status.open") in say_text(plan)


def test_ids_accept_native_digits_and_refuse_unspellable_letters() -> None:
    plan = speak("hi", "notify.status", {"id": Spell("pb-amr-२०२६-१"), "status": "x"})
    assert "P B, A M R, 2 0 2 6, 1" in say_text(plan)
    with pytest.raises(ValueError, match="अ"):
        speak("hi", "notify.status", {"id": Spell("अ-1"), "status": "x"})


@pytest.mark.parametrize("code", ["en", "hi"])
def test_an_amount_is_read_in_lakh_thousand_hundred(code: str) -> None:
    plan = amount(code, 12345650)  # ₹1,23,456.50
    assert clip_ids(plan) == LAKH_AMOUNT
    words = {c.id: c.text for c in clips(plan)}
    assert words["word.lakh"] == {"en": "lakh", "hi": "लाख"}[code]
    assert words["word.rupees"] == {"en": "rupees", "hi": "रुपए"}[code]
    expected = {"en": "1 lakh 23 thousand 456 rupees 50 paise",
                "hi": "1 लाख 23 हज़ार 456 रुपए 50 पैसे"}
    assert say_text(plan) == expected[code]


def test_amount_edges() -> None:
    assert clip_ids(amount("en", 50)) == ["number.50", "word.paise"]
    assert clip_ids(amount("en", 0)) == ["number.0", "word.rupees"]
    assert clip_ids(amount("en", 100)) == ["number.1", "word.rupees"]
    assert say_text(amount("en", 150_000_000_000)) == "150 crore rupees"
    assert clip_ids(amount("en", 150_000_000_000))[:4] == ["number.1", "word.hundred",
                                                          "number.50", "word.crore"]
    with pytest.raises(ValueError):
        speak("en", "notify.office_note", {"note": Money(-1)})


@pytest.mark.parametrize(("n", "terms"), [
    (0, [0]), (99, [99]), (100, [1, "hundred"]), (2026, [2, "thousand", 26]),
    (100000, [1, "lakh"]), (12345678, [1, "crore", 23, "lakh", 45, "thousand", 6, "hundred", 78]),
    (1_00_00_00_000, [1, "hundred", "crore"]),
])
def test_indian_terms(n: int, terms: list[int | str]) -> None:
    assert indian_terms(n) == terms


@pytest.mark.parametrize("code", CODES)
def test_a_date_has_day_cldr_month_name_and_year(code: str) -> None:
    plan = speak(code, "track.status", {n: sample(n) for n in placeholders("track.status")})
    month = get_month_names("wide", "format", KNOWN[code].locale)[12]
    ids, texts = clip_ids(plan), {c.id: c.text for c in clips(plan)}
    assert texts["month.12"] == month
    fields = {"d": ["number.3"], "M": ["month.12"], "y": ["number.2", "word.thousand", "number.26"]}
    assert contiguous(ids, [c for f in date_order(code) for c in fields[f]])
    assert month in say_text(plan) and "2026" in say_text(plan)


def test_cldr_date_order_differs_by_language() -> None:
    assert date_order("hi") == ("d", "M", "y")
    assert date_order("kn") == ("M", "d", "y")
    assert date_order("ml") == ("y", "M", "d")


def test_datetimes_are_dated_in_india() -> None:
    late = datetime(2026, 12, 2, 20, 0, tzinfo=UTC)  # 3 December, 01:30 IST
    plan = speak("en", "notify.office_note", {"note": late})
    assert say_text(plan).endswith("3 December 2026")


def test_free_text_has_a_content_named_clip() -> None:
    plan = speak("or", "notify.office_note", {"note": "Ward 5\nnear temple"})
    assert clips(plan)[-1] == free_clip("Ward 5, near temple")
    assert clips(plan)[-1].id.startswith("free.")


@pytest.mark.parametrize("code", sorted(KNOWN))
def test_every_language_has_every_number_word_in_its_script(code: str) -> None:
    for name in WORD_NAMES:
        text = word(code, name)
        assert text.strip() == text and text
        latin = all("LATIN" in unicodedata.name(c) for c in text if c.isalpha())
        assert latin is (code == "en"), (code, name, text)


@pytest.mark.parametrize("code", CODES)
def test_every_spoken_message_plans_into_known_clips(code: str) -> None:
    inventory = clip_texts(code)
    for key in spoken_message_ids():
        plan = speak(code, key, {n: sample(n) for n in placeholders(key)})
        for clip in clips(plan):
            assert clip.id.startswith("free.") or inventory.get(clip.id) == clip.text, clip
        assert say_text(plan)


@pytest.mark.parametrize("code", CODES)
def test_inventory_texts_are_speakable(code: str) -> None:
    inventory = clip_texts(code)
    expected = ({f"digit.{d}" for d in range(10)} | {f"number.{n}" for n in range(100)}
                | {f"month.{m}" for m in range(1, 13)} | {f"word.{w}" for w in WORD_NAMES})
    assert expected <= set(inventory)
    assert not any(k.startswith(("keyword.", "web.")) for k in inventory)
    for clip_id, text in inventory.items():
        assert any(c.isalnum() for c in text), clip_id
        assert "{" not in text and "\n" not in text, clip_id


def test_silent_segments_have_no_clip() -> None:
    # "{id} - {category} ({status})": nothing but punctuation between the values.
    assert [s for s, _ in segments("en", "track.item") if s] == []
