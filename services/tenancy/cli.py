"""`nagarsetu tenant add|edit|public-status|reopen-window`: states and cities, configured
without code."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy.orm import Session

from services.audit.record import cli_actor, record
from services.db.cli_session import cli_session
from services.tenancy.admin import TenantError, TenantFields, create_tenant, update_tenant
from services.tenancy.models import Tenant
from services.tenancy.privacy import PublicStatus, public_status
from services.tenancy.service import language_settings, reopen_days


def existing_tenant(db: Session, tenant: str) -> Tenant:
    """The tenant a command names, or a usage error saying there is none."""
    row = db.get(Tenant, tenant)
    if row is None:
        raise typer.BadParameter(f"no tenant {tenant!r}")
    return row


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
        row = existing_tenant(db, tenant)
        if set_to is not None:
            before = {"public_status": row.public_status}
            row.public_status = None if set_to == "inherit" else set_to
            record(db, tenant_id=tenant, actor=cli_actor(), entity="tenant", key=tenant,
                   action="update", before=before, after={"public_status": row.public_status})
        effective = public_status(db, row)
        source = "own" if row.public_status else "inherited"
        db.commit()
    typer.echo(f"{tenant}: public status {effective.value} ({source})")


def reopen_window_command(
    tenant: Annotated[str, typer.Argument(help="a state (pb) or a city (pb.amritsar)")],
    set_to: Annotated[str | None, typer.Option(
        "--set", help="days after a resolution in which its citizen may reopen it (0: never), "
                      "or inherit (a city: its state's; a state: 7)")] = None,
) -> None:
    """Show or set how long a citizen may say "not fixed" and reopen a resolved grievance."""
    if set_to is not None and set_to != "inherit" and not (set_to.isdecimal()
                                                           and int(set_to) <= 365):
        raise typer.BadParameter("a number of days from 0 to 365, or inherit")
    with cli_session() as db:
        row = existing_tenant(db, tenant)
        if set_to is not None:
            before = {"reopen_days": row.reopen_days}
            row.reopen_days = None if set_to == "inherit" else int(set_to)
            record(db, tenant_id=tenant, actor=cli_actor(), entity="tenant", key=tenant,
                   action="update", before=before, after={"reopen_days": row.reopen_days})
        effective = reopen_days(db, row)
        source = "own" if row.reopen_days is not None else "inherited"
        db.commit()
    typer.echo(f"{tenant}: reopen window {effective} days ({source})")


NameOption = Annotated[list[str] | None, typer.Option(
    "--name", help="a name in one language, lang=text (repeat per language)")]
AddressOption = Annotated[list[str] | None, typer.Option(
    "--address", help="the office address in one language, lang=text (repeatable)")]
HoursOption = Annotated[list[str] | None, typer.Option(
    "--hours", help="office hours in one language, lang=text (repeatable)")]
CodeOption = Annotated[str | None, typer.Option(
    help="the prefix of grievance numbers, e.g. PB-LDH")]
DefaultOption = Annotated[str | None, typer.Option(
    "--default-language", help="the language before a citizen picks")]
LanguagesOption = Annotated[str | None, typer.Option(
    "--languages", help="enabled languages, comma-separated, in menu order")]
PhoneOption = Annotated[str | None, typer.Option(help="public helpline number (\"\" clears)")]
EmailOption = Annotated[str | None, typer.Option(help="public e-mail address (\"\" clears)")]
WebsiteOption = Annotated[str | None, typer.Option(help="public website URL (\"\" clears)")]


def _pairs(values: list[str] | None, option: str) -> dict[str, str] | None:
    """`lang=text` options as a mapping (None when none were given)."""
    if values is None:
        return None
    found: dict[str, str] = {}
    for value in values:
        language, sep, text = value.partition("=")
        if not sep:
            raise typer.BadParameter(f"expected lang=text, got {value!r}", param_hint=option)
        found[language.strip()] = text
    return found


def _fields(code: str | None, names: list[str] | None, default: str | None,
            languages: str | None, phone: str | None, email: str | None,
            website: str | None, address: list[str] | None,
            inherit: bool = False, hours: list[str] | None = None) -> TenantFields:
    """Command-line options as the fields to set."""
    enabled = [c.strip() for c in languages.split(",")] if languages is not None else None
    return TenantFields(code=code, names=_pairs(names, "--name"), default_language=default,
                        languages=[] if inherit else enabled, phone=phone, email=email,
                        website=website, address=_pairs(address, "--address"),
                        hours=_pairs(hours, "--hours"))


def _show(db: Session, tenant: Tenant) -> str:
    """A tenant's settings, one per line."""
    enabled, default = language_settings(db, tenant)
    source = "own" if tenant.languages else "inherited"
    names = ", ".join(f"{k}={v}" for k, v in tenant.names.items())
    lines = [f"{tenant.id}: {names}", f"  code {tenant.code}",
             f"  languages {', '.join(enabled)} ({source}); default {default}"]
    for label, value in (("phone", tenant.phone), ("e-mail", tenant.email),
                         ("website", tenant.website)):
        if value:
            lines.append(f"  {label} {value}")
    for language, text in (tenant.address or {}).items():
        lines.append(f"  address ({language}) {text}")
    for language, text in (tenant.hours or {}).items():
        lines.append(f"  hours ({language}) {text}")
    return "\n".join(lines)


def _refused(exc: TenantError) -> typer.Exit:
    """Print a refused change and exit 2."""
    typer.echo(f"refused {exc.code}" + (f" ({exc.field})" if exc.field else ""), err=True)
    return typer.Exit(2)


def add_command(
    tenant: Annotated[str, typer.Argument(help="a state (pb) or a city under it (pb.ludhiana)")],
    code: CodeOption = None, name: NameOption = None, default_language: DefaultOption = None,
    languages: LanguagesOption = None, phone: PhoneOption = None, email: EmailOption = None,
    website: WebsiteOption = None, address: AddressOption = None, hours: HoursOption = None,
) -> None:
    """Add a state or a city (its state must exist); a city without languages uses its
    state's."""
    spec = _fields(code, name, default_language, languages, phone, email, website, address,
                   hours=hours)
    with cli_session() as db:
        try:
            row = create_tenant(db, tenant, spec, actor=cli_actor())
        except TenantError as exc:
            raise _refused(exc) from None
        db.commit()
        typer.echo(_show(db, row))


def edit_command(
    tenant: Annotated[str, typer.Argument(help="a state (pb) or a city (pb.ludhiana)")],
    code: CodeOption = None, name: NameOption = None, default_language: DefaultOption = None,
    languages: LanguagesOption = None, phone: PhoneOption = None, email: EmailOption = None,
    website: WebsiteOption = None, address: AddressOption = None, hours: HoursOption = None,
    inherit_languages: Annotated[bool, typer.Option(
        "--inherit-languages", help="a city: use its state's languages again")] = False,
) -> None:
    """Change a tenant's names, code, languages or public contact details (`--name` replaces
    all names, `--address` the whole address, `--hours` all the hours)."""
    spec = _fields(code, name, default_language, languages, phone, email, website, address,
                   inherit_languages, hours)
    with cli_session() as db:
        row = existing_tenant(db, tenant)
        try:
            update_tenant(db, row, spec, actor=cli_actor())
        except TenantError as exc:
            raise _refused(exc) from None
        db.commit()
        typer.echo(_show(db, row))
