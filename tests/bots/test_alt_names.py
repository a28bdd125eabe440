"""Other spellings of a locality (imported `alt_names`) pick it when a citizen types them."""

from __future__ import annotations

from dataclasses import replace

from bots.events import UserInput
from bots.match import pick
from bots.prompts import Localized, Option

BRS = Option("l-brs", Localized({"en": "BRS Nagar", "pa": "ਬੀ.ਆਰ.ਐਸ. ਨਗਰ"}),
             aliases=("Bhai Randhir Singh Nagar",))
CHAURA = Option("l-chaura", Localized({"en": "Chaura Bazaar"}), aliases=("Chowra Bazaar",))
CIVIL = Option("l-civil", Localized({"en": "Civil Lines"}))
EVERY = (BRS, CHAURA, CIVIL)


def typed(text: str, every: tuple[Option, ...] = EVERY) -> Option | None:
    """What typing `text` at the locality question picks."""
    return pick(UserInput(text), every, every, "en", fuzzy=True)


def test_the_full_name_behind_an_abbreviation_picks_it() -> None:
    assert typed("bhai randhir singh nagar") == BRS
    assert typed("Bhai Randhir Singh Ngr") == BRS  # by sound, from the other spelling
    bare = (replace(BRS, aliases=()), CHAURA, CIVIL)
    assert typed("bhai randhir singh nagar", bare) is None  # only the spelling knew it


def test_an_other_spelling_picks_exactly() -> None:
    assert typed("CHOWRA BAZAAR") == CHAURA


def test_other_spellings_are_never_shown() -> None:
    assert BRS.label.get("en") == "BRS Nagar"  # type: ignore[union-attr]
