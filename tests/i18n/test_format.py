"""Rupees with Indian digit grouping and dates in IST, per language."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from babel import Locale, numbers

from i18n import LANGUAGES, format_date, format_datetime, format_money

NEW_YEAR_EVENING_UTC = datetime(2024, 1, 1, 20, 0, tzinfo=UTC)  # 01:30 on 2 Jan in IST


def indian(amount: str, code: str) -> str:
    """The amount as Babel formats it in the locale's currency pattern, lakh/crore grouped."""
    locale = Locale.parse(LANGUAGES[code].locale)
    pattern = numbers.parse_pattern(locale.currency_formats["standard"].pattern)
    pattern.grouping = (3, 2)
    return pattern.apply(Decimal(amount), locale, currency="INR").replace("\u00a0", " ")


def test_format_money_english() -> None:
    """Paise become rupees with lakh grouping and two decimals."""
    assert format_money(12345650, "en") == "₹1,23,456.50"


@pytest.mark.parametrize("code", sorted(LANGUAGES))
@pytest.mark.parametrize(("paise", "amount"), [
    (12345650, "123456.50"), (1234567890, "12345678.90"), (5, "0.05"), (100000, "1000.00"),
    (-250, "-2.50"),
])
def test_format_money_uses_indian_grouping(code: str, paise: int, amount: str) -> None:
    """Every language groups by lakh and crore, as Babel does with the Indian pattern."""
    assert format_money(paise, code) == indian(amount, code)


def test_format_money_crore_grouping() -> None:
    """Crores are grouped 1,23,45,678."""
    assert format_money(1234567890, "hi") == "₹1,23,45,678.90"


def test_format_money_unknown_language_uses_default() -> None:
    """An unknown language formats like the default one."""
    assert format_money(12345650, "xx") == format_money(12345650, "en")


@pytest.mark.parametrize("code", sorted(LANGUAGES))
def test_format_date_is_in_ist(code: str) -> None:
    """20:00 UTC on 1 Jan is already 2 Jan in India."""
    assert format_date(NEW_YEAR_EVENING_UTC, code) == format_date(date(2024, 1, 2), code)
    assert format_date(NEW_YEAR_EVENING_UTC, code) != format_date(date(2024, 1, 1), code)


def test_format_date_english() -> None:
    """The English (India) medium date."""
    assert format_date(NEW_YEAR_EVENING_UTC, "en") == "2 Jan 2024"


def test_format_date_hindi_month_name() -> None:
    """Hindi dates name the month in Devanagari."""
    assert format_date(date(2024, 3, 5), "hi") == "5 मार्च 2024"


def test_naive_datetimes_are_utc() -> None:
    """A naive datetime (as SQLite returns) is read as UTC, like an aware one."""
    naive = NEW_YEAR_EVENING_UTC.replace(tzinfo=None)
    assert format_date(naive, "en") == format_date(NEW_YEAR_EVENING_UTC, "en")
    assert format_datetime(naive, "en") == format_datetime(NEW_YEAR_EVENING_UTC, "en")


def test_format_datetime_is_in_ist_with_short_time() -> None:
    """Date and time in IST, without seconds."""
    am = Locale.parse(LANGUAGES["en"].locale).day_periods["format"]["abbreviated"]["am"]
    # CLDR's spelling of the day period changes between releases (am, AM): Babel says which
    assert format_datetime(NEW_YEAR_EVENING_UTC, "en") == f"2 Jan 2024, 1:30 {am}"
    assert format_datetime(NEW_YEAR_EVENING_UTC, "hi").startswith("2 जन")


@pytest.mark.parametrize("code", sorted(LANGUAGES))
def test_dates_use_plain_spaces(code: str) -> None:
    """No (narrow) no-break spaces, which would force English SMS into UCS-2."""
    for value in (format_date(NEW_YEAR_EVENING_UTC, code),
                  format_datetime(NEW_YEAR_EVENING_UTC, code)):
        assert "\u00a0" not in value and "\u202f" not in value


@pytest.mark.parametrize("code", sorted(LANGUAGES))
def test_every_language_groups_by_lakh_even_where_cldr_does_not(code: str) -> None:
    """The digits read 1,23,45,678.90 in every language, with the rupee sign."""
    text = format_money(1234567890, code)
    assert "₹" in text
    assert "".join(ch for ch in text if ch.isdigit() or ch in ",.") == "1,23,45,678.90"


@pytest.mark.parametrize("code", sorted(LANGUAGES))
def test_one_digit_style_latin_in_every_language(code: str) -> None:
    """Dates, times and amounts use 0-9 in every language (as grievance numbers do), so no
    message mixes ۱۱:۲۸ with 2026; the web chat formats its times the same way."""
    for value in (format_date(NEW_YEAR_EVENING_UTC, code),
                  format_datetime(NEW_YEAR_EVENING_UTC, code), format_money(1234567890, code)):
        digits = [ch for ch in value if ch.isdigit()]
        assert digits and all(ch in "0123456789" for ch in digits), value
