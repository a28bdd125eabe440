"""The `nagarsetu` command line: run the gateway, migrate, chat from a terminal, staff keys."""

from __future__ import annotations

import os
from typing import Annotated

import typer
from rich.console import Console

from payments.cli import payments_app
from payments.recon.cli import finance_app
from services.accounts.cli import channels_app
from services.audio.cli import audio_app
from services.audit.cli import audit_app
from services.audit.record import cli_actor, record
from services.campaigns.cli import campaigns_app
from services.categories.cli import categories_app
from services.connectors.cli import connectors_app
from services.db.cli_session import cli_session
from services.messaging.spend_cli import spend_command
from services.places.cli import places_app
from services.routing.cli import routing_app
from services.security.cli import keys_app
from services.settings import get_settings
from services.staff import cli as staff_cli
from services.templates.cli import templates_app
from services.tenancy.cli import (
    add_command,
    edit_command,
    existing_tenant,
    public_status_command,
    reopen_window_command,
)
from services.voice.messages_cli import voice_messages_app

app = typer.Typer(help="NagarSetu: multi-channel citizen gateway for urban local bodies.",
                  no_args_is_help=True)
staff_app = typer.Typer(help="Staff members and their API keys.", no_args_is_help=True)
tenant_app = typer.Typer(help="Tenants (states and cities).", no_args_is_help=True)
app.add_typer(staff_app, name="staff")
app.add_typer(tenant_app, name="tenant")
app.add_typer(audio_app, name="audio")
app.add_typer(templates_app, name="templates")
app.add_typer(channels_app, name="channels")
app.add_typer(keys_app, name="keys")
app.add_typer(audit_app, name="audit")
app.add_typer(categories_app, name="categories")
app.add_typer(staff_cli.departments_app, name="departments")
app.add_typer(routing_app, name="routing")
app.add_typer(voice_messages_app, name="voice-messages")
app.add_typer(payments_app, name="payments")
app.add_typer(finance_app, name="finance")
app.add_typer(campaigns_app, name="campaigns")
tenant_app.command("public-status")(public_status_command)
tenant_app.command("reopen-window")(reopen_window_command)
tenant_app.command("spend")(spend_command)
staff_app.command("add")(staff_cli.add)
staff_app.command("edit")(staff_cli.edit)
staff_app.command("list")(staff_cli.list_members)
app.add_typer(places_app, name="places")
app.add_typer(connectors_app, name="connectors")
tenant_app.command("add")(add_command)
tenant_app.command("edit")(edit_command)
console = Console()


@app.command()
def run(host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
        dev: Annotated[bool, typer.Option(
            "--dev", help="a development run: placeholder secret, simulators, demo city")]
        = False) -> None:
    """Run the gateway; `--dev` (what `./dev run` passes) is the embedded development default
    (SQLite, in-process tasks, simulators, demo city). Without it production rules apply."""
    import uvicorn
    from pydantic import ValidationError

    if dev:
        os.environ["NAGARSETU_ENV"] = "development"
    os.environ.setdefault("NAGARSETU_PUBLIC_BASE_URL", f"http://{_display(host)}:{port}")
    get_settings.cache_clear()
    try:
        settings = get_settings()
    except ValidationError as exc:
        for error in exc.errors():
            console.print(f"[red]refused[/] {error['msg'].removeprefix('Value error, ')}")
        raise typer.Exit(2) from None
    from services.bootstrap import prepare

    prepare(settings)
    mode = "production (Celery + Redis)" if settings.uses_celery else "embedded"
    database = _safe_url(settings.database_url)
    console.print(f"[bold]NagarSetu[/] {mode}, {settings.env.value}; database {database}")
    console.print(f"Web chat:  {settings.base_url}/chat")
    console.print(f"Staff API: {settings.base_url}/docs")
    uvicorn.run("services.web.app:app_factory", factory=True, host=host, port=port,
                log_level="info", proxy_headers=True)


def _display(host: str) -> str:
    """A host name a browser can open."""
    return "127.0.0.1" if host in ("0.0.0.0", "::") else host


def _safe_url(url: str) -> str:
    """A database URL without its password."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@app.command()
def migrate() -> None:
    """Apply database migrations (Alembic) up to the newest revision."""
    from services.db.migrate import upgrade

    upgrade(get_settings().database_url)
    console.print("database is up to date")


@app.command("seed-demo")
def seed_demo() -> None:
    """Create or refresh the demo city pb.amritsar and its simulated channels (development)."""
    from services.bootstrap import DemoRefused, seed

    try:
        seed(get_settings())
    except DemoRefused:
        console.print(f"[red]refused[/] {DemoRefused.code}: set NAGARSETU_ENV=development")
        raise typer.Exit(2) from None
    console.print("demo city pb.amritsar is ready")


@app.command()
def chat(
    channel: Annotated[str, typer.Option(help="sms, whatsapp, telegram or ivr")] = "sms",
    provider: Annotated[str | None, typer.Option(
        help="which simulated provider, when a channel has several (twilio-sms, exotel-sms…)")]
    = None,
    sender: Annotated[str, typer.Option("--from", help="the citizen's phone number")]
    = "+919876543210",
    gateway: Annotated[str, typer.Option(
        help="URL of a running gateway (start one with ./dev run)")]
    = "http://127.0.0.1:8000",
    tenant: Annotated[str, typer.Option(help="tenant whose simulated number to write to")]
    = "pb.amritsar",
    say: Annotated[list[str] | None, typer.Option(help="send these and exit (scripting)")]
    = None,
    wait: Annotated[float, typer.Option(help="seconds to wait for replies")] = 5.0,
) -> None:
    """Chat with a running gateway as a citizen would from their phone.

    Type the number of a button to tap it; on WhatsApp and Telegram `/location LAT,LON` shares a
    point and `/photo PATH` sends a picture (`/photo` alone, a sample one).
    """
    from rich.text import Text

    from services.terminal_chat import open_phone, send, show

    phone = open_phone(gateway, channel, sender, tenant, provider)
    if say:
        for text in say:
            console.print(Text(f"> {text}", style="cyan"))
            if send(console, phone, channel, text):
                show(console, phone.receive(wait))
        return
    console.print(f"Chatting as {sender} over {channel}. Type a message; Ctrl-D to quit.")
    if channel in ("whatsapp", "telegram"):
        console.print("Type a button's number to tap it; /location LAT,LON shares a point, "
                      "/photo PATH sends a picture.")
    show(console, phone.receive(0.5))
    while True:
        try:
            text = console.input("[cyan]> [/]")
        except (EOFError, KeyboardInterrupt):
            console.print()
            return
        if text.strip() and send(console, phone, channel, text):
            show(console, phone.receive(wait))


@staff_app.command("add-key")
def add_key(
    tenant: Annotated[str | None, typer.Option(
        help="tenant scope: a city (pb.amritsar) or a state (pb); not with --member")] = None,
    role: Annotated[str, typer.Option(help="viewer, officer, admin or finance")] = "officer",
    name: Annotated[str, typer.Option(help="who holds the key (at most 81 characters)")] = "",
    member: Annotated[str | None, typer.Option(
        help="the staff member the key belongs to: it acts with their role and scope")]
    = None,
) -> None:
    """Create a staff API key; it is printed once and never stored in clear."""
    from services.staff.auth import MAX_NAME, InvalidName, Role, create_key
    from services.staff.models import StaffMember

    try:
        parsed = Role(role)
    except ValueError:
        raise typer.BadParameter("role must be viewer, officer, admin or finance") from None
    if (tenant is None) == (member is None):
        raise typer.BadParameter("give --tenant (a key of its own) or --member")
    with cli_session() as db:
        from services.tenancy.models import Tenant

        holder = db.get(StaffMember, member) if member else None
        if member and (holder is None or not holder.active):
            raise typer.BadParameter(f"no active staff member {member!r}")
        if tenant and db.get(Tenant, tenant) is None:
            raise typer.BadParameter(f"no tenant {tenant!r}")
        try:
            key = create_key(db, scope=tenant or "", role=parsed, name=name, member=holder)
        except InvalidName:
            raise typer.BadParameter(
                f"{InvalidName.code}: at most {MAX_NAME} printable characters") from None
        if holder is not None:
            record(db, tenant_id=holder.tenant_id, actor=cli_actor(), entity="staff_key",
                   key=key.split("_")[1], action="create", after={"staff": holder.id})
        db.commit()
    typer.echo(key)


@staff_app.command("revoke")
def revoke_key(key_id: Annotated[str, typer.Argument(help="the id part of nsk_<id>_…")]) -> None:
    """Revoke a staff API key."""
    from services.staff.auth import revoke

    with cli_session() as db:
        if not revoke(db, key_id):
            raise typer.BadParameter(f"no key {key_id!r}")
        db.commit()
    console.print(f"key {key_id} revoked")


@tenant_app.command("languages")
def tenant_languages(
    tenant: Annotated[str, typer.Argument(help="a state (pb) or a city (pb.amritsar)")],
    enable: Annotated[str | None, typer.Option(help="comma-separated codes, in menu order")]
    = None,
    default: Annotated[str | None, typer.Option(help="the language before a citizen picks")]
    = None,
    inherit: Annotated[bool, typer.Option(help="a city: use its state's languages again")]
    = False,
) -> None:
    """Show or set a tenant's languages (a city without its own uses its state's)."""
    from i18n import LANGUAGES
    from services.tenancy.service import language_settings

    with cli_session() as db:
        row = existing_tenant(db, tenant)
        before = {"languages": list(row.languages or []), "default_language": row.default_language}
        if inherit:
            row.languages = []
        if enable is not None:
            codes = [c.strip() for c in enable.split(",") if c.strip()]
            unknown = [c for c in codes if c not in LANGUAGES]
            if unknown or not codes:
                raise typer.BadParameter(f"no catalog for {', '.join(unknown) or 'nothing'}; "
                                         f"available: {', '.join(sorted(LANGUAGES))}")
            row.languages = codes
        if default is not None:
            if default not in (row.languages or language_settings(db, row)[0]):
                raise typer.BadParameter(f"{default!r} is not among the enabled languages")
            row.default_language = default
        enabled, chosen = language_settings(db, row)
        record(db, tenant_id=tenant, actor=cli_actor(), entity="tenant", key=tenant,
               action="update", before=before,
               after={"languages": list(row.languages or []),
                      "default_language": row.default_language})
        db.commit()
    source = "own" if row.languages else "inherited"
    console.print(f"{tenant}: {', '.join(enabled)} ({source}); default {chosen}")


if __name__ == "__main__":
    app()
