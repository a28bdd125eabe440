"""Which option a citizen's input picks: a pressed id, a number on the page, or a (near) label."""

from __future__ import annotations

import difflib

from bots.events import UserInput
from bots.prompts import Localized, Option
from i18n import DEFAULT_LANGUAGE, parse_int, translate
from i18n.normalize import clean

FUZZY_CUTOFF = 0.75


def names(option: Option, language: str) -> set[str]:
    """Folded texts naming an option: master data in any language, else its catalog label."""
    if isinstance(option.label, Localized):
        return {clean(text) for text in option.label.values.values() if text}
    if option.label.params:
        return {clean(option.id)}
    return {clean(translate(code, option.label.key)) for code in {language, DEFAULT_LANGUAGE}}


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
    if fuzzy:
        close = difflib.get_close_matches(typed, list(named), n=1, cutoff=FUZZY_CUTOFF)
        if close:
            return named[close[0]]
    return None
