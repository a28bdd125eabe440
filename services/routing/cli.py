"""`nagarsetu routing load | show | explain | escalate`: rules as data, and a dry run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from services.audit.record import cli_actor
from services.cli_support import console, refuse
from services.db.cli_session import cli_session
from services.routing.choose import route
from services.routing.load import export, load
from services.routing.rules import (
    RuleSet,
    parse_json,
    parse_ladders_csv,
    parse_rules_csv,
)
from services.validation import Invalid

routing_app = typer.Typer(help="Routing rules, escalation ladders, and a dry run.",
                          no_args_is_help=True)
Tenant = Annotated[str, typer.Argument(help="the city, e.g. pb.amritsar")]


def _read(path: Path | None) -> str | None:
    """A file's text (a spreadsheet's byte-order mark removed)."""
    return path.read_text(encoding="utf-8-sig") if path is not None else None


@routing_app.command("load")
def load_rules(
    tenant: Tenant,
    path: Annotated[Path | None, typer.Argument(help="a JSON file: rules and escalation")]
    = None,
    rules: Annotated[Path | None, typer.Option(
        help="CSV: category,ward,department,strategy")] = None,
    escalation: Annotated[Path | None, typer.Option(
        help="CSV: department,level,designation,after_hours")] = None,
) -> None:
    """Replace the city's rules and/or ladders; nothing changes unless every row is valid."""
    if (path is None) == (rules is None and escalation is None):
        raise typer.BadParameter("give a JSON file, or --rules and/or --escalation CSV files")
    try:
        text = _read(path)
        if text is not None:
            wanted = parse_json(text)
        else:
            rules_text, ladder_text = _read(rules), _read(escalation)
            wanted = RuleSet(parse_rules_csv(rules_text) if rules_text is not None else None,
                             parse_ladders_csv(ladder_text) if ladder_text is not None
                             else None)
    except Invalid as exc:
        refuse(exc)
    with cli_session() as db:
        try:
            counts = load(db, tenant, wanted, actor=cli_actor())
        except Invalid as exc:
            db.rollback()
            refuse(exc)
        db.commit()
    console.print(f"{tenant}: {counts['added']} rules added, {counts['changed']} changed, "
                  f"{counts['removed']} removed; {counts['ladders']} ladders changed")


@routing_app.command("show")
def show(tenant: Tenant) -> None:
    """Print the loaded rules and ladders as JSON (the load format)."""
    with cli_session() as db:
        typer.echo(json.dumps(export(db, tenant), ensure_ascii=False, indent=2))


@routing_app.command("explain")
def explain(tenant: Tenant,
            category: Annotated[str, typer.Option(help="a category code")],
            ward: Annotated[str, typer.Option(help="a ward code")]) -> None:
    """Which rule a new grievance would match and who would get it (changes nothing)."""
    with cli_session() as db:
        choice = route(db, tenant, category, ward)
        if choice.rule is None:
            typer.echo(f"no rule matches {category} in {ward}: it would stay unassigned")
            raise typer.Exit(1)
        dept = choice.department.code if choice.department else "?"
        typer.echo(f"rule {choice.rule.category} × {choice.rule.ward} → {dept} "
                   f"({choice.rule.strategy})")
        level = f" at level 0 ({choice.designation})" if choice.designation else ""
        typer.echo(f"officers of {dept} covering {ward}{level}: "
                   + (", ".join(f"{c.member.name} [{c.member.id}] {c.load} open"
                                for c in choice.candidates) or "none"))
        if choice.chosen is None:
            typer.echo("nobody to assign: it would stay unassigned")
            raise typer.Exit(1)
        typer.echo(f"would be assigned to {choice.chosen.name} [{choice.chosen.id}]")


@routing_app.command("escalate")
def escalate_now() -> None:
    """Run the escalation sweep once (what beat runs); notices go out with the next outbox
    sweep of the running gateway."""
    from services.db.engine import make_engine, make_sessionmaker
    from services.routing.escalate import run_escalations
    from services.security.crypto import Crypto
    from services.settings import get_settings

    settings = get_settings()
    with cli_session():
        pass  # migrated
    engine = make_engine(settings.database_url)
    try:
        done = run_escalations(make_sessionmaker(engine),
                               Crypto(settings.secret_key.get_secret_value()))
    finally:
        engine.dispose()
    for item in done:
        typer.echo(f"{item.public_id} → level {item.level} ({item.designation}) "
                   f"{item.staff_id or 'nobody at that level'}")
    typer.echo(f"{len(done)} escalated")
