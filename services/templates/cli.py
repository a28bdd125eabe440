"""`nagarsetu templates add | list | check`: a tenant's registered provider templates."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy.orm import Session

from services.db.cli_session import cli_session

templates_app = typer.Typer(help="Provider templates (DLT SMS, WhatsApp) per tenant.",
                            no_args_is_help=True)
console = Console()


def _tenant_exists(db: Session, tenant: str) -> None:
    """Refuse an unknown tenant id."""
    from services.tenancy.models import Tenant

    if db.get(Tenant, tenant) is None:
        raise typer.BadParameter(f"no tenant {tenant!r}", param_hint="--tenant")


@templates_app.command("add")
def add(
    tenant: Annotated[str, typer.Option(help="a state (pb, for all its cities) or a city")],
    channel: Annotated[str, typer.Option(help="channel type, e.g. exotel-sms")],
    key: Annotated[str, typer.Option(help="catalog id(s) of the reply, joined with +")],
    language: Annotated[str, typer.Option(help="language code of the text")],
    template_id: Annotated[str, typer.Option(help="the provider's template id (DLT: 19 digits)")],
    text: Annotated[str, typer.Option(help="the registered text, {#var#} per value")],
    var: Annotated[list[str] | None, typer.Option(
        help="what fills each placeholder, in order: a parameter (id), key:param, or "
             "choice.N (repeat a name for consecutive placeholders)")] = None,
    options: Annotated[int, typer.Option(help="numbered options the text ends with")] = 0,
    entity_id: Annotated[str | None, typer.Option(help="DLT principal entity id")] = None,
    header: Annotated[str | None, typer.Option(help="DLT sender header, e.g. NGRSTU")] = None,
    extra: Annotated[list[str] | None, typer.Option(help="more provider fields, name=value")]
    = None,
    inactive: Annotated[bool, typer.Option(help="register it switched off")] = False,
) -> None:
    """Register a template (replacing the one for the same reply, language and options)."""
    from i18n import LANGUAGES
    from services.templates.errors import TemplateError
    from services.templates.service import register

    if language not in LANGUAGES:
        raise typer.BadParameter(f"no catalog for {language!r}", param_hint="--language")
    fields = dict(item.split("=", 1) for item in extra or [] if "=" in item)
    if entity_id:
        fields["entity_id"] = entity_id
    if header:
        fields["header"] = header
    with cli_session() as db:
        _tenant_exists(db, tenant)
        try:
            register(db, tenant_id=tenant, channel_type=channel, key=key, language=language,
                     provider_id=template_id, text=text, variables=var or [], extra=fields,
                     options=options, active=not inactive)
        except TemplateError as exc:
            console.print(f"[red]template refused[/] ({exc.code}): {escape(exc.detail)}")
            raise typer.Exit(1) from None
        db.commit()
    typer.echo(f"{tenant} {channel} {key} [{language}, {options} options] -> {template_id}")


@templates_app.command("list")
def list_templates(
    tenant: Annotated[str | None, typer.Option(help="a tenant (with its state's templates)")]
    = None,
    channel: Annotated[str | None, typer.Option(help="only this channel type")] = None,
) -> None:
    """Show registered templates."""
    from services.templates.service import registered

    with cli_session() as db:
        rows = registered(db, tenant_id=tenant, channel_type=channel)
    typer.echo("tenant\tchannel\tkey\tlanguage\toptions\ttemplate id\tvariables\tactive")
    for row in rows:
        typer.echo("\t".join((row.tenant_id, row.channel_type, row.message_key, row.language,
                              str(row.options), row.provider_id, str(len(row.variables)),
                              "yes" if row.active else "no")))


@templates_app.command("check")
def check(
    tenant: Annotated[str, typer.Option(help="the city (or state) to check")],
    channel: Annotated[str, typer.Option(help="channel type, e.g. exotel-sms")],
    language: Annotated[list[str] | None, typer.Option(
        help="languages to check (default: the tenant's enabled languages)")] = None,
) -> None:
    """List every catalog message and language without a registered template (exit 1 if any)."""
    from services.templates.catalog import part_keys
    from services.templates.service import uncovered
    from services.tenancy.models import Tenant
    from services.tenancy.service import language_settings

    with cli_session() as db:
        _tenant_exists(db, tenant)
        languages = language or language_settings(db, db.get_one(Tenant, tenant))[0]
        missing = uncovered(db, tenant_id=tenant, channel_type=channel, keys=part_keys(),
                            languages=languages)
    if not missing:
        console.print(f"{tenant} {channel}: every message has a template in "
                      f"{', '.join(languages)}")
        return
    for key, lang in missing:
        typer.echo(f"missing  {key}  [{lang}]")
    console.print(f"{len(missing)} message/language pair(s) of {tenant} {channel} have no "
                  f"template; register them with `nagarsetu templates add`")
    raise typer.Exit(1)
