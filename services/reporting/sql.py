"""The few expressions that differ between PostgreSQL and SQLite: a period label in IST and
the seconds between two times. Everything else in the reports is plain GROUP BY."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Float, String, cast, func, literal_column
from sqlalchemy.sql.elements import KeyedColumnElement


class Period(StrEnum):
    """How times are grouped, in India's time (IST): a day, a month or a calendar year."""

    DAY = "day"
    MONTH = "month"
    YEAR = "year"


FORMATS = {Period.DAY: ("%Y-%m-%d", "YYYY-MM-DD"), Period.MONTH: ("%Y-%m", "YYYY-MM"),
           Period.YEAR: ("%Y", "YYYY")}
"""strftime (SQLite) and to_char (PostgreSQL) patterns of each period's label."""


def period_label(column: Any, period: Period, dialect: str) -> ColumnElement[str]:
    """A time's period label in IST (`2026-04`)."""
    lite, pg = FORMATS[period]
    if dialect == "postgresql":
        return func.to_char(func.timezone("Asia/Kolkata", column), pg)
    return cast(func.strftime(lite, column, "+330 minutes"), String)


def seconds_between(later: Any, earlier: Any, dialect: str) -> ColumnElement[float]:
    """`later - earlier` in seconds."""
    if dialect == "postgresql":
        return cast(func.extract("epoch", later - earlier), Float)
    return (func.julianday(later) - func.julianday(earlier)) * literal_column("86400.0")


def median_of(value: ColumnElement[float]) -> KeyedColumnElement[Any]:
    """PostgreSQL's median of a value within each group (SQLite has none: see grievances)."""
    return func.percentile_cont(0.5).within_group(value).label("median")
