"""`nagarsetu payments refunds`: refund an excess or duplicate payment (audited), list them."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy import select

from payments.refund_models import PaymentRefund
from payments.refunds import RefundError, request_refund
from services.audit.record import cli_actor
from services.db.cli_session import cli_session
from services.db.engine import make_engine, make_sessionmaker
from services.security.crypto import Crypto
from services.settings import get_settings

refunds_app = typer.Typer(help="Refunds of excess and duplicate payments.",
                          no_args_is_help=True)


@refunds_app.command("request")
def request(
    payment_id: Annotated[str, typer.Argument(help="the gateway's payment id (pay_…)")],
    tenant: Annotated[str, typer.Option(help="the city")],
    note: Annotated[str, typer.Option(help="why (kept in the audit log)")],
    amount: Annotated[int | None, typer.Option(help="paise (default: all that may go back)")]
    = None,
) -> None:
    """Refund a flagged payment; running it again re-sends an unanswered refund."""
    settings = get_settings()
    crypto = Crypto(settings.secret_key.get_secret_value())
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    try:
        view = request_refund(sessions, crypto, tenant_id=tenant, payment_id=payment_id,
                              note=note, actor=cli_actor(), amount_paise=amount)
    except RefundError as exc:
        raise typer.BadParameter(exc.code) from None
    finally:
        engine.dispose()
    typer.echo(f"refund {view.id}: {view.amount_paise} paise, {view.status}")


@refunds_app.command("list")
def list_refunds(tenant: Annotated[str, typer.Option(help="the city")]) -> None:
    """Refunds, one tab-separated line each, newest first."""
    typer.echo("\t".join(("id", "payment", "reason", "amount_paise", "status", "refund")))
    with cli_session() as db:
        for row in db.scalars(select(PaymentRefund).where(PaymentRefund.tenant_id == tenant)
                              .order_by(PaymentRefund.created_at.desc())):
            typer.echo("\t".join((row.id, row.external_payment_id, row.reason,
                                  str(row.amount_paise), row.status,
                                  row.external_refund_id or "")))
