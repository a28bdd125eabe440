"""`nagarsetu tenant spend`: today's paid sends of a city against its daily cap; set the cap."""

from __future__ import annotations

from typing import Annotated

import typer

from services.audit.record import cli_actor, record
from services.db.base import utcnow
from services.db.cli_session import cli_session
from services.messaging.spend import day_total
from services.settings import get_settings
from services.tenancy.cli import existing_tenant


def rupees(paise: int) -> str:
    """Paise shown as rupees (₹1,234.50), for people; stored and computed as integers."""
    return f"₹{paise // 100:,}.{paise % 100:02d}"


def spend_command(
    tenant: Annotated[str, typer.Argument(help="a state (pb) or a city (pb.amritsar)")],
    cap: Annotated[str | None, typer.Option(
        help="the daily cap in paise (50000 = ₹500; 0 stops paid sends), or inherit")] = None,
) -> None:
    """Show today's spend on paid channels against the daily cap, or set the cap."""
    if cap is not None and cap != "inherit" and not (cap.isdigit() and len(cap) <= 15):
        raise typer.BadParameter("a whole number of paise, or inherit", param_hint="--cap")
    default = get_settings().daily_spend_cap_paise
    with cli_session() as db:
        row = existing_tenant(db, tenant)
        if cap is not None:
            before = {"daily_spend_cap_paise": row.daily_spend_cap_paise}
            row.daily_spend_cap_paise = None if cap == "inherit" else int(cap)
            record(db, tenant_id=tenant, actor=cli_actor(), entity="tenant", key=tenant,
                   action="update", before=before,
                   after={"daily_spend_cap_paise": row.daily_spend_cap_paise})
        total = day_total(db, tenant, utcnow(), default)
        source = "own" if row.daily_spend_cap_paise is not None else "inherited"
        db.commit()
    share = f" ({100 * total.spent_paise // total.cap_paise}%)" if total.cap_paise else ""
    typer.echo(f"{tenant} on {total.day}: {rupees(total.spent_paise)} of "
               f"{rupees(total.cap_paise)} ({source} cap){share}, {total.sends} paid sends")
    if total.capped_at:
        typer.echo(f"cap reached at {total.capped_at.isoformat()}: paid sends are waiting")
    elif total.warned_at:
        typer.echo(f"warned at {total.warned_at.isoformat()} (80% of the cap)")
