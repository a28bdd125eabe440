"""Bank working days in India: Sundays, the second and fourth Saturdays, and the holidays a
state (or one city) declares, stored in `bank_holidays` and changed with an audit entry.

"Captured but not settled after T+2 working days": a payment captured on day D is due in the
bank by the end of the second working day after D; `overdue_before(as_of)` is the last capture
day already overdue on `as_of`.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from payments.recon.models import BankHoliday
from services.audit.record import record

SETTLE_DAYS = 2


def state_of(tenant_id: str) -> str:
    """The state part of a tenant id (`pb` of `pb.amritsar`)."""
    return tenant_id.split(".")[0]


def bank_closed(day: date, holidays: frozenset[date]) -> bool:
    """Sunday, the 2nd or 4th Saturday of the month, or a declared holiday."""
    if day.weekday() == 6 or day in holidays:
        return True
    return day.weekday() == 5 and (day.day - 1) // 7 in (1, 3)


def add_working_days(day: date, count: int, holidays: frozenset[date]) -> date:
    """The `count`-th working day after `day`."""
    current = day
    while count > 0:
        current += timedelta(days=1)
        if not bank_closed(current, holidays):
            count -= 1
    return current


def overdue_before(as_of: date, holidays: frozenset[date], days: int = SETTLE_DAYS) -> date:
    """The latest capture day whose T+`days` working day is before `as_of`."""
    day = as_of - timedelta(days=1)
    while add_working_days(day, days, holidays) >= as_of:
        day -= timedelta(days=1)
    return day


def holidays_for(db: Session, tenant_id: str) -> frozenset[date]:
    """The holidays a city keeps: its state's and its own."""
    scopes = {tenant_id, state_of(tenant_id)}
    return frozenset(db.scalars(select(BankHoliday.day).where(
        BankHoliday.tenant_id.in_(scopes))))


def set_holiday(db: Session, *, scope: str, day: date, name: str, actor: str) -> bool:
    """Declare a bank holiday for a state or city (False when it already was), audited."""
    found = db.scalar(select(BankHoliday).where(BankHoliday.tenant_id == scope,
                                                BankHoliday.day == day))
    if found is not None:
        return False
    db.add(BankHoliday(tenant_id=scope, day=day, name=name[:100]))
    record(db, tenant_id=scope, actor=actor, entity="bank_holiday", key=day.isoformat(),
           action="create", after={"day": day.isoformat(), "name": name[:100]})
    db.flush()
    return True


def remove_holiday(db: Session, *, scope: str, day: date, actor: str) -> bool:
    """Withdraw a declared holiday (False when there was none), audited."""
    found = db.scalar(select(BankHoliday).where(BankHoliday.tenant_id == scope,
                                                BankHoliday.day == day))
    if found is None:
        return False
    record(db, tenant_id=scope, actor=actor, entity="bank_holiday", key=day.isoformat(),
           action="delete", before={"day": day.isoformat(), "name": found.name})
    db.delete(found)
    db.flush()
    return True
