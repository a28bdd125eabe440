"""The daily spend cap: each paid send reserves its price against its city's cap for the day.

A reservation is one conditional UPDATE (`spent + price <= cap`; the day's row is inserted only
when that finds none), so concurrent workers never overspend; a send that does not go out gives
its reservation back. A city crossing 80% of its cap, and a city reaching it, is alerted once a
day (an ERROR log line with a stable code that an operator's alerting watches, and the flags
`nagarsetu tenant spend` and the staff API show). Days are Indian calendar days (IST). The cap
is the city's own, else its state's, else the deployment's default
(NAGARSETU_DAILY_SPEND_CAP_PAISE); 0 stops every paid send.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session, aliased

from services.db.base import IST, aware
from services.db.engine import insert_for, relax_commit
from services.messaging.models import DailySpend
from services.tenancy.models import Tenant

log = logging.getLogger(__name__)

WARN_FRACTION = 0.8
"""The share of the cap at which a city is warned (once a day)."""


@dataclass(frozen=True)
class Charge:
    """A reservation held for one send: given back if the send does not go out."""

    tenant_id: str
    day: date
    paise: int


def spend_day(now: datetime) -> date:
    """The Indian calendar day a send at `now` is counted in."""
    return now.astimezone(IST).date()


def until_next_day(now: datetime) -> float:
    """Seconds from `now` to the next midnight in India, when a new day's cap opens."""
    local = now.astimezone(IST)
    midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), IST)
    return (midnight - local).total_seconds()


def cap_for(db: Session, tenant_id: str, default: int) -> int:
    """The city's cap, else its state's, else the deployment's default (one query: a tenant
    is a city under a state, or a state)."""
    parent = aliased(Tenant)
    row = db.execute(select(Tenant.daily_spend_cap_paise, parent.daily_spend_cap_paise)
                     .outerjoin(parent, parent.id == Tenant.parent_id)
                     .where(Tenant.id == tenant_id)).first()
    if row is None:
        return default
    return effective_cap(row[0], row[1], default)


def effective_cap(own: int | None, inherited: int | None, default: int) -> int:
    """The city's own cap, else its state's, else the deployment's default."""
    return own if own is not None else inherited if inherited is not None else default


@dataclass(frozen=True)
class DayTotal:
    """A city's paid sends on one day against its cap."""

    tenant_id: str
    day: date
    spent_paise: int
    sends: int
    cap_paise: int
    warned_at: datetime | None
    capped_at: datetime | None


def day_total(db: Session, tenant_id: str, now: datetime, default_cap: int) -> DayTotal:
    """What the city has spent today (IST), its cap, and when it was alerted."""
    day = spend_day(now)
    row = db.get(DailySpend, (tenant_id, day))
    return DayTotal(tenant_id, day, row.spent_paise if row else 0, row.sends if row else 0,
                    cap_for(db, tenant_id, default_cap),
                    aware(row.warned_at) if row and row.warned_at else None,
                    aware(row.capped_at) if row and row.capped_at else None)


def reserve(db: Session, tenant_id: str, paise: int, now: datetime,
            default_cap: int, *, cap: int | None = None) -> Charge | None:
    """Reserve `paise` of today's cap and commit (with whatever else the transaction holds);
    None when it would pass the cap. `cap`: the city's cap as already loaded (`caps_of`),
    else it is looked up."""
    day = spend_day(now)
    relax_commit(db)
    if cap is None:
        cap = cap_for(db, tenant_id, default_cap)
    granted = _add(db, tenant_id, day, paise, cap)
    if granted is None:  # the day's first paid send, or over the cap: make sure the row exists
        db.execute(insert_for(db)(DailySpend).values(tenant_id=tenant_id, day=day, spent_paise=0,
                                             sends=0)
                   .on_conflict_do_nothing(index_elements=["tenant_id", "day"]))
        granted = _add(db, tenant_id, day, paise, cap)
    if granted is None:
        _alert_once(db, tenant_id, day, now, capped=True, cap=cap)
        db.commit()
        return None
    if granted >= cap * WARN_FRACTION:
        _alert_once(db, tenant_id, day, now, capped=False, cap=cap)
    db.commit()
    return Charge(tenant_id, day, paise)


def _add(db: Session, tenant_id: str, day: date, paise: int, cap: int) -> int | None:
    """Add one send's price to the day's row if it stays within the cap; the new total, or
    None (no row yet, or over the cap)."""
    return db.execute(
        update(DailySpend)
        .where(DailySpend.tenant_id == tenant_id, DailySpend.day == day,
               DailySpend.spent_paise + paise <= cap)
        .values(spent_paise=DailySpend.spent_paise + paise, sends=DailySpend.sends + 1)
        .returning(DailySpend.spent_paise)).scalar_one_or_none()


def release(db: Session, charge: Charge) -> None:
    """Give a reservation back (the send did not go out) and commit."""
    relax_commit(db)
    db.execute(update(DailySpend)
               .where(DailySpend.tenant_id == charge.tenant_id, DailySpend.day == charge.day)
               .values(spent_paise=DailySpend.spent_paise - charge.paise,
                       sends=DailySpend.sends - 1))
    db.commit()


def _alert_once(db: Session, tenant_id: str, day: date, now: datetime, *, capped: bool,
                cap: int) -> None:
    """Set the day's warned or capped flag if unset; log the alert only when this set it."""
    column = DailySpend.capped_at if capped else DailySpend.warned_at
    result = db.execute(update(DailySpend)
                        .where(DailySpend.tenant_id == tenant_id, DailySpend.day == day,
                               column.is_(None))
                        .values({column: now}))
    if not cast(CursorResult[Any], result).rowcount:
        return
    if capped:
        log.error("spend_cap_reached: %s reached its daily cap of %d paise on %s; paid sends "
                  "wait for tomorrow or a higher cap", tenant_id, cap, day)
    else:
        log.error("spend_cap_warning: %s has spent %d%% of its daily cap of %d paise on %s",
                  tenant_id, int(WARN_FRACTION * 100), cap, day)
