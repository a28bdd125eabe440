"""Shared column helpers: the grievance-id year follows India's calendar, not UTC's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.db.base import aware, local_year


@pytest.mark.parametrize(("moment", "year"), [
    (datetime(2026, 12, 31, 18, 29, tzinfo=UTC), 2026),  # 23:59 IST on 31 December
    (datetime(2026, 12, 31, 18, 30, tzinfo=UTC), 2027),  # 00:00 IST on 1 January
    (datetime(2027, 1, 1, 3, 0, tzinfo=UTC), 2027),
])
def test_local_year_is_the_year_in_india(moment: datetime, year: int) -> None:
    assert local_year(moment) == year


def test_naive_database_times_are_utc() -> None:
    assert aware(datetime(2026, 1, 1, 12, 0)) == datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
