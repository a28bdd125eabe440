"""`nagarsetu audit export`: the configuration change log of a tenant (and its cities)."""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Annotated

import typer
from sqlalchemy import select

from services.audit.export import as_csv, as_jsonl, changes
from services.db.cli_session import cli_session
from services.tenancy.models import Tenant

audit_app = typer.Typer(help="The configuration change log.", no_args_is_help=True)


@audit_app.command("export")
def export(
    tenant: Annotated[str, typer.Argument(help="a state (with its cities) or a city")],
    fmt: Annotated[str, typer.Option("--format", help="jsonl or csv")] = "jsonl",
    since: Annotated[datetime | None, typer.Option(help="changes at or after")] = None,
    entity: Annotated[str | None, typer.Option(help="only this kind (tenant, ward, …)")] = None,
) -> None:
    """Write every recorded change (who, when, before → after) to standard output."""
    if fmt not in ("jsonl", "csv"):
        raise typer.BadParameter("one of: jsonl, csv", param_hint="--format")
    with cli_session() as db:
        ids = [tenant, *db.scalars(select(Tenant.id).where(Tenant.id.like(f"{tenant}.%")))]
        lines = (as_csv if fmt == "csv" else as_jsonl)(
            changes(db, ids, since=since, entity=entity))
        for line in lines:
            sys.stdout.write(line)
