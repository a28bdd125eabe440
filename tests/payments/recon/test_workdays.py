"""Bank working days: Sundays, 2nd and 4th Saturdays and declared holidays are skipped."""

from __future__ import annotations

from datetime import date

from payments.recon.workdays import add_working_days, bank_closed, overdue_before

MARTYRDOM = frozenset({date(2026, 11, 24)})


def test_sundays_second_and_fourth_saturdays_and_holidays_are_closed() -> None:
    saturdays = [date(2026, 11, d) for d in (7, 14, 21, 28)]
    assert [bank_closed(d, frozenset()) for d in saturdays] == [False, True, False, True]
    assert bank_closed(date(2026, 11, 29), frozenset())  # Sunday
    assert bank_closed(date(2026, 11, 24), MARTYRDOM)
    assert not bank_closed(date(2026, 11, 24), frozenset())


def test_t_plus_two_skips_closed_days() -> None:
    assert add_working_days(date(2026, 11, 26), 2, frozenset()) == date(2026, 11, 30)
    assert add_working_days(date(2026, 11, 23), 2, frozenset()) == date(2026, 11, 25)
    assert add_working_days(date(2026, 11, 23), 2, MARTYRDOM) == date(2026, 11, 26)


def test_a_holiday_moves_the_overdue_cutoff() -> None:
    assert overdue_before(date(2026, 11, 26), frozenset()) == date(2026, 11, 23)
    assert overdue_before(date(2026, 11, 26), MARTYRDOM) == date(2026, 11, 22)
    assert overdue_before(date(2026, 11, 30), frozenset()) == date(2026, 11, 25)
