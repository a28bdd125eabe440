"""The words numbers, rupee amounts and dates are spoken with, Indian style, in every language.

Numbers are grouped the Indian way (crore, lakh, thousand, hundred) down to terms below 100, so a
language without TTS needs one clip per number 0-99 plus the scale words. The words come from
CLDR (Babel) where it has them:

- "thousand", "lakh", "crore": the long compact number formats ("0 हज़ार", "0 लाख", "0 करोड़");
  a language whose CLDR data counts in millions at 10^5/10^7 takes the word from `_WORDS`;
- "rupees": the plural display name of INR without its first word ("भारतीय रुपए" -> "रुपए");
- month names: the wide format month names; the order of day, month and year: the long date
  pattern ("d MMMM y", "MMMM d, y", "y, MMMM d").

CLDR has no word for "hundred" or "paise", so `_WORDS` holds them for every language, plus "lakh"
and "crore" where CLDR lacks them, and "rupees" where CLDR's plural is not what an amount takes
(Tamil and Kannada say the singular after a number); the table wins over CLDR. The numbers
0-99 themselves are spoken from their digits by the TTS engine or espeak-ng (or recorded by a
state), so no table of number words is kept.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache

from babel import Locale
from babel.dates import get_month_names
from babel.numbers import get_currency_name

from i18n.languages import KNOWN

SCALES = (("crore", 10**7), ("lakh", 10**5), ("thousand", 1000), ("hundred", 100))
WORD_NAMES = ("hundred", "thousand", "lakh", "crore", "rupees", "paise")
_CLDR_SCALE = {"thousand": "1000", "lakh": "100000", "crore": "10000000"}
_ONE_UNIT = re.compile(r"^0[\s\u00a0\u202f]+([^0#]+)$")

# Words CLDR does not have (hundred, paise everywhere; lakh/crore where CLDR counts millions).
# Dravidian languages fuse hundreds ("nanooru"); their word here only serves clip playback, which
# none of them needs today (all have provider TTS).
_WORDS: dict[str, dict[str, str]] = {
    "en": {"hundred": "hundred", "paise": "paise", "lakh": "lakh", "crore": "crore"},
    "hi": {"hundred": "सौ", "paise": "पैसे"},
    "bn": {"hundred": "শো", "paise": "পয়সা"},
    "mr": {"hundred": "शे", "paise": "पैसे"},
    "te": {"hundred": "వందలు", "paise": "పైసలు", "lakh": "లక్ష", "crore": "కోటి"},
    "ta": {"hundred": "நூறு", "paise": "பைசா", "lakh": "லட்சம்", "crore": "கோடி",
           "rupees": "ரூபாய்"},
    "gu": {"hundred": "સો", "paise": "પૈસા"},
    "ur": {"hundred": "سو", "paise": "پیسے"},
    "kn": {"hundred": "ನೂರು", "paise": "ಪೈಸೆ", "lakh": "ಲಕ್ಷ", "crore": "ಕೋಟಿ",
           "rupees": "ರೂಪಾಯಿ"},
    "or": {"hundred": "ଶହ", "paise": "ପଇସା", "lakh": "ଲକ୍ଷ", "crore": "କୋଟି"},
    "ml": {"hundred": "നൂറ്", "paise": "പൈസ", "lakh": "ലക്ഷം", "crore": "കോടി"},
    "pa": {"hundred": "ਸੌ", "paise": "ਪੈਸੇ"},
    "as": {"hundred": "শ", "paise": "পইচা", "crore": "কোটি"},
}


def _locale(code: str) -> Locale:
    """The CLDR locale of a known language."""
    return Locale.parse(KNOWN[code].locale)


def indian_terms(n: int) -> list[int | str]:
    """`n` as spoken terms: 12345678 -> [1, "crore", 23, "lakh", 45, "thousand", 6, "hundred", 78].

    Every int in the result is below 100; crores above 99 are themselves grouped.
    """
    if n < 0:
        raise ValueError(n)
    if n < 100:
        return [n]
    terms: list[int | str] = []
    rest = n
    for name, size in SCALES:
        count, rest = divmod(rest, size)
        if count:
            terms += [*indian_terms(count), name] if name == "crore" else [count, name]
    if rest:
        terms.append(rest)
    return terms


def _cldr_scale_word(code: str, name: str) -> str | None:
    """The CLDR word for a scale ("0 लाख" -> "लाख") when CLDR groups that way, else None."""
    formats = _locale(code).compact_decimal_formats.get("long", {}).get("other", {})
    pattern = formats.get(_CLDR_SCALE[name])
    found = _ONE_UNIT.match(str(pattern.pattern).replace("'", "")) if pattern else None
    return found.group(1).strip() if found else None


@cache
def word(code: str, name: str) -> str:
    """One of `WORD_NAMES` in language `code` (KeyError when neither CLDR nor the table has it)."""
    table = _WORDS[code]
    if name in table:
        return table[name]
    if name == "rupees":
        display = get_currency_name("INR", count=2, locale=_locale(code))
        return display.split(maxsplit=1)[-1]
    found = _cldr_scale_word(code, name) if name in _CLDR_SCALE else None
    if found is None:
        raise KeyError(f"{code}: {name}")
    return found


@cache
def month_names(code: str) -> dict[int, str]:
    """CLDR wide month names (format context), January = 1."""
    return {int(k): str(v) for k, v in get_month_names("wide", "format", _locale(code)).items()}


@cache
def date_order(code: str) -> tuple[str, ...]:
    """The order the language says a date in, from CLDR's long pattern: ("d", "M", "y") etc."""
    pattern = _locale(code).date_formats["long"].pattern
    unquoted = re.sub(r"'[^']*'", "", pattern)
    order: list[str] = []
    for char in unquoted:
        field = "M" if char == "L" else char
        if field in "dMy" and field not in order:
            order.append(field)
    return tuple(order) if len(order) == 3 else ("d", "M", "y")


def date_fields(value: date, code: str) -> list[tuple[str, int]]:
    """The day, month and year of `value` in the language's spoken order."""
    fields = {"d": value.day, "M": value.month, "y": value.year}
    return [(f, fields[f]) for f in date_order(code)]
