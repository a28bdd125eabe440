"""Staff API: a city's paid sends today against its daily spend cap (any role in scope).

Errors answer `{"detail": {"code": ...}}`: 401 `unauthenticated`, 403 `forbidden_tenant`,
404 `not_found` (no such tenant).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from services.db.base import utcnow
from services.messaging.spend import day_total
from services.web.admin import readable
from services.web.deps import CtxDep, DbDep, StaffDep
from services.web.errors import API_RESPONSES

router = APIRouter(prefix="/api/v1/spend", tags=["spend"], responses=API_RESPONSES)


class SpendOut(BaseModel):
    """Today's (IST) paid sends of one tenant, in integer paise."""

    tenant: str
    day: date
    spent_paise: int
    sends: int
    cap_paise: int
    warned_at: datetime | None
    """When 80% of the cap was crossed today (alerted once)."""
    capped_at: datetime | None
    """When a paid send was first held by the cap today; they wait while it is set."""


@router.get("")
def today(ctx: CtxDep, db: DbDep, staff: StaffDep,
          tenant: Annotated[str | None, Query(max_length=64,
                                              description="a tenant within your scope")] = None,
          ) -> SpendOut:
    """What the tenant's paid sends have cost today against its daily cap."""
    tenant_id = tenant or staff.scope
    readable(db, staff, tenant_id)
    total = day_total(db, tenant_id, utcnow(), ctx.settings.daily_spend_cap_paise)
    return SpendOut(tenant=tenant_id, day=total.day, spent_paise=total.spent_paise,
                    sends=total.sends, cap_paise=total.cap_paise, warned_at=total.warned_at,
                    capped_at=total.capped_at)
