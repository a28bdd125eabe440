"""`nagarsetu tenant public-status`: what anyone may learn of a grievance by its number."""

from __future__ import annotations

from typing import Annotated

import typer

from services.audit.record import cli_actor, record
from services.db.cli_session import cli_session
from services.tenancy.models import Tenant
from services.tenancy.privacy import PublicStatus, public_status


def public_status_command(
    tenant: Annotated[str, typer.Argument(help="a state (pb) or a city (pb.amritsar)")],
    set_to: Annotated[str | None, typer.Option(
        "--set", help="none (only the citizen who filed), status (category and status), "
                      "or inherit (a city: its state's choice)")] = None,
) -> None:
    """Show or set how much of a grievance others see by its number (default: none)."""
    choices = {p.value for p in PublicStatus} | {"inherit"}
    if set_to is not None and set_to not in choices:
        raise typer.BadParameter(f"one of: {', '.join(sorted(choices))}")
    with cli_session() as db:
        row = db.get(Tenant, tenant)
        if row is None:
            raise typer.BadParameter(f"no tenant {tenant!r}")
        if set_to is not None:
            before = {"public_status": row.public_status}
            row.public_status = None if set_to == "inherit" else set_to
            record(db, tenant_id=tenant, actor=cli_actor(), entity="tenant", key=tenant,
                   action="update", before=before, after={"public_status": row.public_status})
        effective = public_status(db, row)
        source = "own" if row.public_status else "inherited"
        db.commit()
    typer.echo(f"{tenant}: public status {effective.value} ({source})")
