"""`nagarsetu channels`: connect a tenant's numbers and bots (credentials stored encrypted)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import select

from channels.errors import ConfigError
from channels.registry import adapter_class, channel_types
from services.accounts.models import ChannelAccount
from services.accounts.service import adapter_for, create_account, webhook_path
from services.cli_support import key_values
from services.db.cli_session import cli_session
from services.security.crypto import Crypto
from services.settings import get_settings
from services.tenancy.models import Tenant

channels_app = typer.Typer(help="Channel accounts of a tenant.", no_args_is_help=True)
console = Console()



@channels_app.command("add")
def add(
    tenant: Annotated[str, typer.Option(help="the city (pb.amritsar) the account serves")],
    channel_type: Annotated[str, typer.Option("--type", help="e.g. twilio-sms, telegram")],
    setting: Annotated[list[str], typer.Option("--set", help="config key=value (repeat)")],
    name: Annotated[str, typer.Option(help="a label for staff")] = "",
) -> None:
    """Connect an account; prints the webhook URLs to give the provider."""
    if channel_type not in channel_types():
        raise typer.BadParameter(f"unknown type; one of: {', '.join(channel_types())}")
    settings = get_settings()
    with cli_session() as db:
        if db.get(Tenant, tenant) is None:
            raise typer.BadParameter(f"no tenant {tenant!r}")
        crypto = Crypto(settings.secret_key.get_secret_value())
        try:
            account = create_account(db, crypto, tenant_id=tenant, channel_type=channel_type,
                                     config=key_values(setting), name=name)
        except ConfigError as exc:
            raise typer.BadParameter(exc.detail or exc.code) from None
        db.commit()
        console.print(f"account {account.id} ({channel_type}) for {tenant}")
        console.print(f"inbound webhook: {settings.base_url}{webhook_path(account)}")
        console.print(f"status webhook:  {settings.base_url}{webhook_path(account, 'status')}")


@channels_app.command("list")
def list_accounts(tenant: Annotated[str | None, typer.Option(help="only this tenant")] = None,
                  ) -> None:
    """Accounts with their settings, one tab-separated line each; secrets are shown as ***."""
    crypto = Crypto(get_settings().secret_key.get_secret_value())
    typer.echo("\t".join(("id", "tenant", "type", "medium", "address", "active", "config")))
    with cli_session() as db:
        query = select(ChannelAccount).order_by(ChannelAccount.tenant_id,
                                                ChannelAccount.channel_type)
        if tenant:
            query = query.where(ChannelAccount.tenant_id == tenant)
        for account in db.scalars(query):
            redacted = adapter_for(crypto, account).redacted_config()
            typer.echo("\t".join((
                account.id, account.tenant_id, account.channel_type,
                adapter_class(account.channel_type).medium.value, account.address,
                "yes" if account.active else "no", json.dumps(redacted, ensure_ascii=False))))


@channels_app.command("disable")
def disable(account_id: Annotated[str, typer.Argument(help="the account id")]) -> None:
    """Stop using an account (its history stays)."""
    with cli_session() as db:
        account = db.get(ChannelAccount, account_id)
        if account is None:
            raise typer.BadParameter(f"no account {account_id!r}")
        account.active = False
        db.commit()
    console.print(f"account {account_id} disabled")
