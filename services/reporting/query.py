"""What a report is asked for: a scope, a time window, the dimensions and the period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement

from services.reporting.sql import Period


@dataclass(frozen=True)
class ReportQuery:
    """A report's scope (a city, or a state rolled up over its cities), its window (times in
    [since, until)), the dimensions to group by and the period length."""

    scope: str
    since: datetime
    until: datetime
    by: tuple[str, ...]
    period: Period = Period.MONTH


def in_scope(column: Any, scope: str) -> ColumnElement[bool]:
    """Rows of the scope's tenants: the tenant itself and, for a state, its cities."""
    condition: ColumnElement[bool] = (column == scope) | column.startswith(
        scope + ".", autoescape=True)
    return condition


def utc(moment: datetime) -> datetime:
    """A bound in UTC (naive means UTC)."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
