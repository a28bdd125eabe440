"""Citizen input understanding: native-script digits and per-language keywords."""

from __future__ import annotations

import unicodedata
from enum import StrEnum
from functools import cache

from i18n.catalog import translate
from i18n.languages import DEFAULT_LANGUAGE, LANGUAGES


class Keyword(StrEnum):
    """Words that mean the same thing in every step of every flow."""

    MENU = "menu"
    HELP = "help"
    LANGUAGE = "language"
    STOP = "stop"
    START = "start"
    YES = "yes"
    NO = "no"
    BACK = "back"


KEYWORDS = ("menu", "help", "language", "stop", "start", "yes", "no", "back")
"""Names of the keywords; each language's words for one are catalog message `keyword.<name>`."""

# Symbols that mean the same in every language.
_UNIVERSAL = {"0": Keyword.MENU, "?": Keyword.HELP}
SEPARATOR = "|"


def normalize_digits(text: str) -> str:
    """Replace decimal digits of any script (०-९, ০-৯, ۰-۹ …) with ASCII digits."""
    out = []
    for ch in text:
        if ch.isdigit() and not ch.isascii():
            try:
                out.append(str(unicodedata.decimal(ch)))
                continue
            except ValueError:
                pass
        out.append(ch)
    return "".join(out)


def clean(text: str) -> str:
    """Trim, fold case and whitespace, and normalise digits and Unicode form."""
    folded = unicodedata.normalize("NFC", normalize_digits(text)).casefold()
    return " ".join(folded.split()).strip(" .!।")


def keyword_words(code: str, kw: Keyword) -> tuple[str, ...]:
    """A language's words for a keyword, as its catalog lists them (first: the one to teach)."""
    words = translate(code, "keyword." + kw.value).split(SEPARATOR)
    return tuple(w.strip() for w in words if w.strip())


@cache
def _keyword_table() -> dict[str, Keyword]:
    """Every keyword word of every language (native script and romanised), folded."""
    table: dict[str, Keyword] = {}
    for code in (DEFAULT_LANGUAGE, *sorted(LANGUAGES)):
        for kw in Keyword:
            for word in keyword_words(code, kw):
                table.setdefault(clean(word), kw)
    table.update(_UNIVERSAL)
    return table


def keyword(text: str) -> Keyword | None:
    """The keyword this whole message means, in any supported language, if any.

    Matching is on the folded, trimmed whole message, so "menu" matches but "menu please" does
    not; a citizen may use any language's words whatever language they chose.
    """
    return _keyword_table().get(clean(text))


def parse_int(text: str) -> int | None:
    """An integer typed in any script ("३", " 12 "), or None."""
    value = clean(text)
    return int(value) if value.isascii() and value.isdecimal() else None
