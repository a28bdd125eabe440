"""`nagarsetu payments bbps`: a city's BBPS billers (credentials encrypted, changes logged),
and a simulated aggregator run against the demo city."""

from __future__ import annotations

import json
from typing import Annotated

import httpx
import typer
from rich.console import Console
from sqlalchemy import select

from payments.bbps.billers import BillerError, add_biller, base_path, disable_biller, redacted
from payments.bbps.models import BbpsBiller
from payments.bbps.simulator import Aggregator
from services.audit.record import cli_actor
from services.db.cli_session import cli_session
from services.security.crypto import Crypto
from services.settings import get_settings
from services.tenancy.models import Tenant

bbps_app = typer.Typer(help="BBPS (Bharat Connect) billers of a city.", no_args_is_help=True)
console = Console()


@bbps_app.command("add")
def add(
    tenant: Annotated[str, typer.Option(help="the city (pb.amritsar)")],
    service: Annotated[str, typer.Option(help="property_tax, water, sewerage, trade_licence")],
    allow_ip: Annotated[list[str], typer.Option(help="an address or CIDR the aggregator "
                                                     "calls from (repeat)")],
    auth: Annotated[str, typer.Option(help="jwt (HS256 bearer) or basic")] = "jwt",
    scheme_id: Annotated[str, typer.Option(help="JWT: the aud claim (scheme id)")] = "",
    username: Annotated[str, typer.Option(help="Basic: the user name")] = "",
    secret: Annotated[str, typer.Option(help="the JWT secret or Basic password", prompt=True,
                                        hide_input=True)] = "",
    identifier: Annotated[str, typer.Option(help="the customer identifier's attributeName")]
    = "consumerNumber",
    exactness: Annotated[str | None, typer.Option(help="EXACT or EXACT_UP (default: the "
                                                       "service's rule)")] = None,
    name: Annotated[str, typer.Option(help="a label for staff")] = "",
) -> None:
    """Register a service of a city as a biller; prints the baseURL for the aggregator."""
    config = ({"scheme_id": scheme_id, "secret": secret} if auth == "jwt"
              else {"username": username, "password": secret})
    settings = get_settings()
    crypto = Crypto(settings.secret_key.get_secret_value())
    with cli_session() as db:
        if db.get(Tenant, tenant) is None:
            raise typer.BadParameter(f"no tenant {tenant!r}")
        try:
            biller = add_biller(db, crypto, actor=cli_actor(), tenant_id=tenant,
                                service=service, auth=auth, config=config,
                                allowed_ips=allow_ip, identifier=identifier,
                                exactness=exactness, name=name)
        except BillerError as exc:
            raise typer.BadParameter(exc.code) from None
        db.commit()
        console.print(f"bbps biller {biller.id} ({service}, {biller.exactness}) for {tenant}")
        console.print(f"baseURL: {settings.base_url}{base_path(biller)}")


@bbps_app.command("list")
def list_billers(tenant: Annotated[str | None, typer.Option(help="only this city")] = None,
                 ) -> None:
    """Billers, one tab-separated line each; secrets shown as ***."""
    crypto = Crypto(get_settings().secret_key.get_secret_value())
    typer.echo("\t".join(("id", "tenant", "service", "auth", "exactness", "active",
                          "allowed_ips", "config")))
    with cli_session() as db:
        query = select(BbpsBiller).order_by(BbpsBiller.tenant_id, BbpsBiller.created_at)
        if tenant:
            query = query.where(BbpsBiller.tenant_id == tenant)
        for biller in db.scalars(query):
            shown = redacted(crypto.decrypt_json(biller.config_enc))
            typer.echo("\t".join((biller.id, biller.tenant_id, biller.service, biller.auth,
                                  biller.exactness, "yes" if biller.active else "no",
                                  ",".join(biller.allowed_ips), json.dumps(shown))))


@bbps_app.command("disable")
def disable(biller_id: Annotated[str, typer.Argument(help="the biller id")]) -> None:
    """Stop answering the aggregator for a biller (its payments stay)."""
    with cli_session() as db:
        try:
            disable_biller(db, actor=cli_actor(), biller_id=biller_id)
        except BillerError as exc:
            raise typer.BadParameter(exc.code) from None
        db.commit()
    console.print(f"bbps biller {biller_id} disabled")


@bbps_app.command("simulate")
def simulate(
    consumer: Annotated[str, typer.Option(help="the consumer number to fetch and pay")],
    tenant: Annotated[str, typer.Option(help="the city")] = "pb.amritsar",
    service: Annotated[str, typer.Option(help="the biller's service")] = "property_tax",
    resend: Annotated[int, typer.Option(help="identical re-sends (timeouts)")] = 1,
) -> None:
    """Be the aggregator against a running gateway: fetch, pay (re-sent), settle."""
    settings = get_settings()
    crypto = Crypto(settings.secret_key.get_secret_value())
    with cli_session() as db:
        biller = db.scalar(select(BbpsBiller).where(
            BbpsBiller.tenant_id == tenant, BbpsBiller.service == service,
            BbpsBiller.simulated.is_(True), BbpsBiller.active.is_(True)))
        if biller is None or biller.auth != "jwt":
            raise typer.BadParameter("no simulated biller: run the demo (./dev) first")
        config = crypto.decrypt_json(biller.config_enc)
        base = settings.base_url + base_path(biller)
    sim = Aggregator(base, str(config["scheme_id"]), str(config["secret"]), timeouts=resend)
    try:
        fetched = sim.fetch(consumer)
    except httpx.HTTPError as exc:
        raise typer.BadParameter(f"no answer from {settings.base_url}: {exc}") from None
    console.print(f"fetch {fetched.status_code}: {fetched.text}")
    bills = (fetched.json().get("data") or {}).get("billDetails", {}).get("bills") or []
    if not bills:
        return
    body = sim.payment_body(bills[0])
    paid = sim.post_receipt(body)
    console.print(f"fetchReceipt ×{resend + 1}: " + ", ".join(
        f"{r.status_code} {r.text}" for r in sim.sent[1:]))
    if paid.status_code == 200:
        platform_bill = json.loads(body)["platformBillID"]
        settled = sim.settle([platform_bill], int(json.loads(body)["paymentDetails"]
                                                  ["amountPaid"]["value"]))
        console.print(f"notifications {settled.status_code}: {settled.text}")
