"""`nagarsetu connectors`: which platform holds a city's grievances and bills (credentials
stored encrypted, every change in the configuration log)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import select

from services.audit.record import cli_actor
from services.cli_support import key_values
from services.connectors.connections import (
    ConnectorError,
    disable_connection,
    redacted,
    set_connection,
)
from services.connectors.models import DOMAINS, KINDS, Connection
from services.db.cli_session import cli_session
from services.security.crypto import Crypto
from services.settings import get_settings
from services.tenancy.models import Tenant

connectors_app = typer.Typer(help="Platforms holding a city's grievances and bills.",
                             no_args_is_help=True)
console = Console()



@connectors_app.command("set")
def set_(
    tenant: Annotated[str, typer.Option(help="a city (pb.amritsar) or a whole state (pb)")],
    domain: Annotated[str, typer.Option(help=f"one of: {', '.join(DOMAINS)}")],
    kind: Annotated[str, typer.Option(help=f"one of: {', '.join(KINDS)}")],
    base_url: Annotated[str, typer.Option(help="the platform's API root")] = "",
    setting: Annotated[list[str] | None, typer.Option(
        "--set", help="config key=value (repeat), e.g. username=…, api_key=…")] = None,
    password: Annotated[str, typer.Option(help="DIGIT: the system user's password",
                                          hide_input=True)] = "",
) -> None:
    """Point a city's grievances or bills at a platform (replacing what was there)."""
    crypto = Crypto(get_settings().secret_key.get_secret_value())
    config = key_values(setting or [])
    if password:
        config["password"] = password
    with cli_session() as db:
        if db.get(Tenant, tenant) is None:
            raise typer.BadParameter(f"no tenant {tenant!r}")
        try:
            row = set_connection(db, crypto, actor=cli_actor(), tenant_id=tenant,
                                 domain=domain, kind=kind, base_url=base_url, config=config)
        except ConnectorError as exc:
            raise typer.BadParameter(exc.code) from None
        db.commit()
        console.print(f"{tenant} {domain}: {row.kind} {row.base_url}".rstrip())


@connectors_app.command("list")
def list_(tenant: Annotated[str | None, typer.Option(help="only this tenant")] = None) -> None:
    """Connections, one tab-separated line each; secrets shown as ***."""
    crypto = Crypto(get_settings().secret_key.get_secret_value())
    typer.echo("\t".join(("tenant", "domain", "kind", "base_url", "active", "config")))
    with cli_session() as db:
        query = select(Connection).order_by(Connection.tenant_id, Connection.domain)
        if tenant:
            query = query.where(Connection.tenant_id == tenant)
        for row in db.scalars(query):
            shown = redacted(crypto.decrypt_json(row.config_enc))
            typer.echo("\t".join((row.tenant_id, row.domain, row.kind, row.base_url,
                                  "yes" if row.active else "no", json.dumps(shown))))


@connectors_app.command("disable")
def disable(tenant: Annotated[str, typer.Option(help="the city or state")],
            domain: Annotated[str, typer.Option(help=f"one of: {', '.join(DOMAINS)}")],
            ) -> None:
    """Serve a domain from the built-in registry again (links and history stay)."""
    with cli_session() as db:
        try:
            disable_connection(db, actor=cli_actor(), tenant_id=tenant, domain=domain)
        except ConnectorError as exc:
            raise typer.BadParameter(exc.code) from None
        db.commit()
    console.print(f"{tenant} {domain}: builtin")
