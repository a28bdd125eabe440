"""Locale-aware formatting through Babel/CLDR: rupees with Indian grouping, dates in IST.

Naive datetimes are taken as UTC, like everywhere else in NagarSetu (SQLite drops the zone).
Digits are Latin (0-9) in every language, Babel's default numbering system: grievance numbers,
phone numbers and ids are written with them, so a message never mixes two digit styles (Urdu's
CLDR default, ۰-۹, beside an id). The web chat formats its bubble times the same way.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel import Locale, dates, numbers

from i18n.languages import DEFAULT_LANGUAGE, LANGUAGES
from i18n.normalize import normalize_digits

IST = ZoneInfo("Asia/Kolkata")
INDIAN_GROUPING = (3, 2)  # 1,23,45,678: thousands first, then every two digits
# CLDR puts (narrow) no-break spaces in times; they are outside the GSM-7 SMS alphabet and
# would turn a whole English SMS into UCS-2, so formatted values use plain spaces.
_PLAIN_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " "})


def _locale(code: str) -> str:
    """The CLDR locale for a language code (default language when unknown)."""
    return LANGUAGES.get(code, LANGUAGES[DEFAULT_LANGUAGE]).locale


def in_ist(value: datetime) -> datetime:
    """A moment in Indian Standard Time (naive values are UTC)."""
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(IST)


def format_money(paise: int, code: str) -> str:
    """Integer paise as rupees in the language's own currency pattern, grouped by lakh and crore.

    Some CLDR locales (mr, kn, ml, or, ur) group rupees in thousands; NagarSetu keeps each
    locale's symbol placement and digits but always uses the Indian grouping (₹1,23,456.50).
    """
    return format_rupees(Decimal(paise) / Decimal(100), code)


def format_rupees(amount: Decimal, code: str) -> str:
    """Rupees (exact, as `payments.money.rupees` gives them) in the language's currency
    pattern with the Indian grouping: what prompts' money parameters are rendered with."""
    locale = Locale.parse(_locale(code))
    pattern = numbers.parse_pattern(locale.currency_formats["standard"].pattern)
    pattern.grouping = INDIAN_GROUPING
    text: str = pattern.apply(amount, locale, currency="INR")
    return text.translate(_PLAIN_SPACES)


def format_date(value: date | datetime, code: str) -> str:
    """A medium-length date in the language's locale; datetimes are first moved to IST."""
    if isinstance(value, datetime):
        value = in_ist(value).date()
    text = dates.format_date(value, format="medium", locale=_locale(code))
    return text.translate(_PLAIN_SPACES)


def format_datetime(value: datetime, code: str) -> str:
    """A medium date and short time in IST in the language's locale (2 Jan 2024, 1:30 am)."""
    locale = Locale.parse(_locale(code))
    pattern = str(locale.datetime_formats["medium"]).format(
        locale.time_formats["short"].pattern, locale.date_formats["medium"].pattern)
    text = dates.format_datetime(in_ist(value), pattern, locale=locale)
    return text.translate(_PLAIN_SPACES)


_NUMBER = re.compile(r"\d+")
_AMOUNT = re.compile(r"^[^\d]*?(\d[\d,]*)(?:\.(\d{1,2}))?[^\d]*$")


def parse_date(text: str, code: str) -> date | None:
    """The date a `format_date` text shows (day, month name, year in any digits); None when
    the text is not one. Voice calls read it back with the full month name."""
    plain = normalize_digits(text.translate(_PLAIN_SPACES))
    numbers_in = [int(n) for n in _NUMBER.findall(plain)]
    if len(numbers_in) != 2:
        return None
    day, year = sorted(numbers_in)
    locale = Locale.parse(_locale(code))
    found = {month for width in ("abbreviated", "wide")
             for month, name in dates.get_month_names(width, "format", locale).items()
             if name.rstrip(".") and re.search(
                 rf"(?<!\w){re.escape(str(name).rstrip('.'))}", plain)}
    if len(found) != 1 or year < 1000:
        return None
    try:
        return date(year, found.pop(), day)
    except ValueError:
        return None


def parse_money(text: str) -> int | None:
    """Integer paise of a `format_money` text (₹ required, any digits); None otherwise."""
    if "₹" not in text:
        return None
    found = _AMOUNT.match(normalize_digits(text.translate(_PLAIN_SPACES)).strip())
    if found is None:
        return None
    rupees, fraction = found.group(1).replace(",", ""), (found.group(2) or "0").ljust(2, "0")
    return int(rupees) * 100 + int(fraction)
