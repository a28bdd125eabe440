"""Matching input to options, without the engine around it."""

from __future__ import annotations

import pytest

from bots.events import UserInput
from bots.match import names, pick
from bots.prompts import Localized, Msg, Option
from tests.bots.support import CATEGORIES

GARBAGE, STREETLIGHT, WATER, DRAIN = CATEGORIES
PAGE = (STREETLIGHT, WATER)


@pytest.mark.parametrize(("event", "fuzzy", "expected"), [
    (UserInput(payload="garbage"), False, GARBAGE),  # ids reach beyond the page
    (UserInput("1", payload="drain"), False, DRAIN),  # a pressed option beats the text
    (UserInput(payload="unknown"), True, None),
    (UserInput("1"), False, STREETLIGHT),  # numbers count on the page shown
    (UserInput("२"), False, WATER),
    (UserInput("3"), False, None),
    (UserInput("0"), False, None),
    (UserInput("-1"), False, None),
    (UserInput(""), True, None),
    (UserInput("   "), True, None),
    (UserInput("garbage"), False, GARBAGE),  # names reach beyond the page
    (UserInput("Water Supply!"), False, WATER),
    (UserInput("पानी की  आपूर्ति"), False, WATER),
    (UserInput("Watr supply"), False, None),
    (UserInput("Watr supply"), True, WATER),
    (UserInput("nali jam"), True, DRAIN),  # romanised Hindi sounds like "नाली जाम"
    (UserInput("nali jam"), False, None),
    (UserInput("kachra"), True, GARBAGE),
    (UserInput("पानी"), True, WATER),  # the first word of a name is enough when it is unique
    (UserInput("street"), True, STREETLIGHT),
    (UserInput("something else entirely"), True, None),
    (UserInput("w"), True, None),
])
def test_pick(event: UserInput, fuzzy: bool, expected: Option | None) -> None:
    assert pick(event, PAGE, CATEGORIES, "en", fuzzy) == expected


def test_names_of_master_data_cover_every_language() -> None:
    assert names(WATER, "en") == {"water supply", "पानी की आपूर्ति"}
    assert names(Option("x", Localized({"en": "", "hi": "क"})), "en") == {"क"}


def test_a_parametrised_catalog_label_is_named_by_its_id() -> None:
    item = Option("PB-2025-000001", Msg("track.item", {"id": "PB-2025-000001"}))
    assert names(item, "hi") == {"pb-2025-000001"}


def test_an_option_on_the_page_wins_over_an_equal_name_elsewhere() -> None:
    twin = Option("garbage-2", Localized({"en": "Garbage"}))
    assert pick(UserInput("garbage"), (twin,), CATEGORIES, "en") == twin


@pytest.mark.parametrize(("typed", "expected"), [
    ("Ranjeet Avenyu", "loc-ranjit"),
    ("रंजीत एवेन्यू", "loc-ranjit"),  # Devanagari with a different spelling
    ("ਰਣਜੀਤ ਐਵੇਨਿਊ", "loc-ranjit"),  # Gurmukhi, a script the options are not even named in
    ("রঞ্জিত অ্যাভিনিউ", "loc-ranjit"),  # Bengali
    ("મોડલ ટાઉન", "loc-model"),  # Gujarati
    ("modal taun", "loc-model"),
    ("civil line", "loc-civil"),
    ("सिविल", "loc-civil"),
    ("avenue", None),  # too little to tell
    ("town", None),
    ("chandni chowk", None),
])
def test_localities_match_across_scripts_and_spellings(typed: str, expected: str | None) -> None:
    from tests.bots.support import LOCALITIES

    found = pick(UserInput(typed), (), LOCALITIES, "en", fuzzy=True)
    assert (found.id if found else None) == expected
