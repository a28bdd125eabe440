"""Citizen input: digits in any script and keywords in English, Hindi and romanised Hindi."""

from __future__ import annotations

import pytest

from i18n import Keyword, keyword, normalize_digits, parse_int


@pytest.mark.parametrize(("typed", "number"), [
    ("१२३", 123), ("০৫", 5), ("۳", 3), ("٧", 7), ("௪", 4), (" 12 ", 12), ("12.", 12), ("0", 0),
])
def test_parse_int_reads_any_script(typed: str, number: int) -> None:
    """Native-script digits count like ASCII ones."""
    assert parse_int(typed) == number


@pytest.mark.parametrize("typed", ["12a", "", "abc", "1 2", "-3", "१२x", "½", "²"])
def test_parse_int_rejects_non_numbers(typed: str) -> None:
    """Anything but a whole number is not a number."""
    assert parse_int(typed) is None


def test_normalize_digits_keeps_other_text() -> None:
    """Only digits change."""
    assert normalize_digits("वार्ड १२ में") == "वार्ड 12 में"


@pytest.mark.parametrize(("typed", "meaning"), [
    ("help", Keyword.HELP), ("HELP", Keyword.HELP), ("madad", Keyword.HELP),
    ("मदद", Keyword.HELP), ("0", Keyword.MENU), ("०", Keyword.MENU), ("Menu", Keyword.MENU),
    ("मेनू", Keyword.MENU), (" menu. ", Keyword.MENU), ("bhasha", Keyword.LANGUAGE),
    ("भाषा", Keyword.LANGUAGE), ("STOP", Keyword.STOP), ("बंद", Keyword.STOP),
    ("start", Keyword.START), ("शुरू", Keyword.START), ("haan", Keyword.YES),
    ("हाँ", Keyword.YES), ("nahi", Keyword.NO), ("नहीं।", Keyword.NO),
])
def test_keywords(typed: str, meaning: Keyword) -> None:
    """Keywords match in any case, script and common romanisation."""
    assert keyword(typed) is meaning


@pytest.mark.parametrize("typed", ["menu please", "help me", "1", "", "stop it", "pothole"])
def test_not_keywords(typed: str) -> None:
    """Only the whole message is a keyword."""
    assert keyword(typed) is None


# Every script's digits from zero to nine, per language that writes them.
NATIVE_DIGITS = {
    "hi": "०१२३४५६७८९", "mr": "०१२३४५६७८९", "bn": "০১২৩৪৫৬৭৮৯", "as": "০১২৩৪৫৬৭৮৯",
    "pa": "੦੧੨੩੪੫੬੭੮੯", "gu": "૦૧૨૩૪૫૬૭૮૯", "or": "୦୧୨୩୪୫୬୭୮୯", "ta": "௦௧௨௩௪௫௬௭௮௯",
    "te": "౦౧౨౩౪౫౬౭౮౯", "kn": "೦೧೨೩೪೫೬೭೮೯", "ml": "൦൧൨൩൪൫൬൭൮൯", "ur": "۰۱۲۳۴۵۶۷۸۹",
}


@pytest.mark.parametrize(("code", "digits"), sorted(NATIVE_DIGITS.items()))
def test_every_scripts_digits_read_as_numbers(code: str, digits: str) -> None:
    """Menu choices, consumer numbers and grievance numbers typed in the language's digits."""
    for value, digit in enumerate(digits):
        assert parse_int(digit) == value
    assert parse_int(digits[1] + digits[2] + digits[3]) == 123
    assert parse_int(digits[0] + digits[0] + digits[4] + digits[2]) == 42  # 000042-style ids
    assert normalize_digits(f"PB-AMR-{digits[2]}{digits[0]}{digits[2]}{digits[6]}") == \
        "PB-AMR-2026"
