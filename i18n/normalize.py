"""Citizen input understanding: native-script digits and per-language keywords."""

from __future__ import annotations

import unicodedata
from enum import StrEnum


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


# Keywords per meaning, across languages and common romanised forms. Matching is on the
# casefolded, trimmed whole message, so "menu" matches but "menu please" does not.
_KEYWORDS: dict[Keyword, frozenset[str]] = {
    Keyword.MENU: frozenset({"menu", "0", "main menu", "home", "मेनू", "मेन्यू", "मुख्य मेनू"}),
    Keyword.HELP: frozenset({"help", "?", "madad", "sahayata", "मदद", "सहायता"}),
    Keyword.LANGUAGE: frozenset({"language", "lang", "bhasha", "भाषा"}),
    Keyword.STOP: frozenset({"stop", "unsubscribe", "stopall", "बंद", "रोकें"}),
    Keyword.START: frozenset({"start", "unstop", "शुरू"}),
    Keyword.YES: frozenset({"yes", "y", "ok", "haan", "han", "ha", "हाँ", "हां", "जी"}),
    Keyword.NO: frozenset({"no", "n", "nahi", "nahin", "नहीं", "ना"}),
    Keyword.BACK: frozenset({"back", "peeche", "पीछे", "वापस"}),
}


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


def keyword(text: str) -> Keyword | None:
    """The keyword this whole message means, in any supported language, if any."""
    value = clean(text)
    for kw, words in _KEYWORDS.items():
        if value in words:
            return kw
    return None


def parse_int(text: str) -> int | None:
    """An integer typed in any script ("३", " 12 "), or None."""
    value = clean(text)
    return int(value) if value.isascii() and value.isdecimal() else None
