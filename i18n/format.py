"""Locale-aware formatting through Babel/CLDR: rupees with Indian grouping, dates in IST."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel import dates, numbers

from i18n.languages import DEFAULT_LANGUAGE, LANGUAGES

IST = ZoneInfo("Asia/Kolkata")


def _locale(code: str) -> str:
    """The CLDR locale for a language code (default language when unknown)."""
    return LANGUAGES.get(code, LANGUAGES[DEFAULT_LANGUAGE]).locale


def format_money(paise: int, code: str) -> str:
    """Format integer paise as rupees in the language's locale (₹1,23,456.50)."""
    amount = Decimal(paise) / Decimal(100)
    return numbers.format_currency(amount, "INR", locale=_locale(code))


def format_date(value: date | datetime, code: str) -> str:
    """A medium-length date in the language's locale, in IST for datetimes."""
    if isinstance(value, datetime):
        value = value.astimezone(IST).date() if value.tzinfo else value.date()
    return dates.format_date(value, format="medium", locale=_locale(code))


def format_datetime(value: datetime, code: str) -> str:
    """A medium date and short time in IST in the language's locale."""
    return dates.format_datetime(value, format="medium", tzinfo=IST, locale=_locale(code))
