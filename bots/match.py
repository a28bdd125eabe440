"""Which option a citizen's input picks: a pressed id, a number on the page, or a (near) label."""

from __future__ import annotations

import difflib
from functools import cache

from bots.events import UserInput
from bots.prompts import Localized, Option
from i18n import DEFAULT_LANGUAGE, LANGUAGES, parse_int, translate
from i18n.normalize import clean
from i18n.phonetic import phonetic_key

INTENTS = ("grievance", "track")
"""Menu options with catalog words of their own (`intent.grievance`: complaint, shikayat…)."""
FUZZY_CUTOFF = 0.75
AMBIGUITY_MARGIN = 0.1
PREFIX_SCORE = 0.85
MIN_KEY = 3


def names(option: Option, language: str) -> set[str]:
    """Folded texts naming an option: master data in any language and its other spellings,
    else its catalog label, plus for menu options the words citizens use for them in every
    language ("shikayat")."""
    if isinstance(option.label, Localized):
        texts = (*option.label.values.values(), *option.aliases)
        return {clean(text) for text in texts if text}
    if option.label.params:
        return {clean(option.id)}
    found = {clean(translate(code, option.label.key)) for code in {language, DEFAULT_LANGUAGE}}
    return found | intent_words(option.id)


@cache
def intent_words(option_id: str) -> frozenset[str]:
    """Words for a menu option across all languages (`intent.<id>` in the catalogs)."""
    if option_id not in INTENTS:
        return frozenset()
    return frozenset(clean(word) for code in LANGUAGES
                     for word in translate(code, "intent." + option_id).split("|")
                     if word.strip())


def intents_in(text: str) -> frozenset[str]:
    """Menu options one of whose words appears among the words of a longer text ("what is
    the status of my complaint" names "track" and "grievance")."""
    words = {word.strip("?,.!।;:") for word in clean(text).split()}
    return frozenset(oid for oid in INTENTS if words & intent_words(oid))


def pick(event: UserInput, shown: tuple[Option, ...], every: tuple[Option, ...],
         language: str, fuzzy: bool = False) -> Option | None:
    """The option picked: ids and labels from every option, numbers from the shown page only."""
    if event.payload is not None:
        return next((o for o in (*shown, *every) if o.id == event.payload), None)
    number = parse_int(event.text)
    if number is not None:
        return shown[number - 1] if 1 <= number <= len(shown) else None
    typed = clean(event.text)
    if not typed:
        return None
    named = {text: option for option in (*every, *shown) for text in names(option, language)}
    if typed in named:
        return named[typed]
    return by_sound(typed, named) if fuzzy else None


def by_sound(typed: str, named: dict[str, Option]) -> Option | None:
    """The one option whose name sounds like the input, in any script or spelling; else None.

    A name scores by similarity of phonetic keys; typing the first word(s) of a name counts as
    close. The best must clear FUZZY_CUTOFF and beat every other option by AMBIGUITY_MARGIN.
    """
    key = phonetic_key(typed)
    if len(key) < MIN_KEY:
        return None
    best: dict[str, tuple[float, Option]] = {}
    for name, option in named.items():
        other = phonetic_key(name)
        score = difflib.SequenceMatcher(None, key, other).ratio()
        if other.startswith(key + " "):
            score = max(score, PREFIX_SCORE)
        if score > best.get(option.id, (0.0, option))[0]:
            best[option.id] = (score, option)
    ranked = sorted(best.values(), key=lambda item: item[0], reverse=True)
    if not ranked or ranked[0][0] < FUZZY_CUTOFF:
        return None
    if len(ranked) > 1 and ranked[0][0] - ranked[1][0] < AMBIGUITY_MARGIN:
        return None
    return ranked[0][1]
