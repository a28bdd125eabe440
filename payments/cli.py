"""`nagarsetu payments`: a city's gateway accounts (secrets stored encrypted, changes logged)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import select

from payments.accounts import AccountError, add_account, disable_account, redacted, webhook_path
from payments.bbps.cli import bbps_app
from payments.gateways import gateway_names
from payments.models import GatewayAccount
from payments.refund_cli import refunds_app
from services.audit.record import cli_actor
from services.db.cli_session import cli_session
from services.security.crypto import Crypto
from services.settings import get_settings
from services.tenancy.models import Tenant

payments_app = typer.Typer(help="Payment gateway accounts of a city.", no_args_is_help=True)
console = Console()
payments_app.add_typer(bbps_app, name="bbps")
payments_app.add_typer(refunds_app, name="refunds")


@payments_app.command("add")
def add(
    tenant: Annotated[str, typer.Option(help="the city (pb.amritsar) collecting the money")],
    key_id: Annotated[str, typer.Option(help="the gateway's API key id")],
    key_secret: Annotated[str, typer.Option(help="the API key secret", prompt=True,
                                            hide_input=True)],
    webhook_secret: Annotated[str, typer.Option(help="the webhook secret", prompt=True,
                                                hide_input=True)],
    vpa: Annotated[str, typer.Option(help="the city's UPI id for intent links")],
    payee_name: Annotated[str, typer.Option(help="the name UPI apps show")] = "",
    gateway: Annotated[str, typer.Option(help="the gateway")] = "razorpay",
    name: Annotated[str, typer.Option(help="a label for staff")] = "",
) -> None:
    """Connect a gateway account; prints the webhook URL to enter in its dashboard."""
    if gateway not in gateway_names():
        raise typer.BadParameter(f"unknown gateway; one of: {', '.join(gateway_names())}")
    settings = get_settings()
    crypto = Crypto(settings.secret_key.get_secret_value())
    with cli_session() as db:
        if db.get(Tenant, tenant) is None:
            raise typer.BadParameter(f"no tenant {tenant!r}")
        config = {"key_id": key_id, "key_secret": key_secret, "webhook_secret": webhook_secret}
        try:
            account = add_account(db, crypto, actor=cli_actor(), tenant_id=tenant,
                                  gateway=gateway, config=config, vpa=vpa,
                                  payee_name=payee_name, name=name)
        except AccountError as exc:
            raise typer.BadParameter(exc.code) from None
        db.commit()
        console.print(f"payment account {account.id} ({gateway}) for {tenant}")
        console.print(f"webhook: {settings.base_url}{webhook_path(account)}")


@payments_app.command("list")
def list_accounts(tenant: Annotated[str | None, typer.Option(help="only this city")] = None,
                  ) -> None:
    """Accounts, one tab-separated line each; secrets shown as ***."""
    crypto = Crypto(get_settings().secret_key.get_secret_value())
    typer.echo("\t".join(("id", "tenant", "gateway", "vpa", "active", "config")))
    with cli_session() as db:
        query = select(GatewayAccount).order_by(GatewayAccount.tenant_id,
                                                GatewayAccount.created_at)
        if tenant:
            query = query.where(GatewayAccount.tenant_id == tenant)
        for account in db.scalars(query):
            shown = redacted(crypto.decrypt_json(account.config_enc))
            typer.echo("\t".join((account.id, account.tenant_id, account.gateway, account.vpa,
                                  "yes" if account.active else "no", json.dumps(shown))))


@payments_app.command("disable")
def disable(account_id: Annotated[str, typer.Argument(help="the account id")]) -> None:
    """Stop collecting through an account (attempts and history stay)."""
    with cli_session() as db:
        try:
            disable_account(db, actor=cli_actor(), account_id=account_id)
        except AccountError as exc:
            raise typer.BadParameter(exc.code) from None
        db.commit()
    console.print(f"payment account {account_id} disabled")
