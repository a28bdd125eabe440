"""`nagarsetu campaigns`: create (with an audience CSV or query), add, preview, submit,
approve, start, pause, resume, cancel, abort, follow (a live progress bar and rate), report
(CSV), and a city's approval threshold."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.orm import Session

from services.audit.record import cli_actor
from services.campaigns import control, estimate, report, sources
from services.campaigns.models import Campaign
from services.campaigns.schedule import parse_ist
from services.campaigns.spec import FINAL, CampaignError
from services.db.base import IST, utcnow
from services.db.cli_session import cli_session
from services.messaging.prices import price_table
from services.security.crypto import Crypto
from services.settings import get_settings

campaigns_app = typer.Typer(help="Bulk campaigns (docs/campaigns.md).", no_args_is_help=True)
console = Console(soft_wrap=True)  # ids and JSON stay on one line
Id = Annotated[str, typer.Argument(help="the campaign id")]
As = Annotated[str | None, typer.Option("--as", help="who acts (default: the OS user)")]


def _crypto() -> Crypto:
    """The key ring of the configured secret."""
    return Crypto(get_settings().secret_key.get_secret_value())


def _fail(exc: CampaignError) -> typer.Exit:
    """Print a refusal's code and end with status 1."""
    console.print(f"[red]{exc.code}[/red] {exc.detail}".rstrip())
    return typer.Exit(1)


Csv = Annotated[Path | None, typer.Option("--csv", help="an audience CSV (phone, language, "
                                                       "name, variables)")]
Ward = Annotated[str | None, typer.Option(help="contacts of a ward (its code)")]
BillsDue = Annotated[int | None, typer.Option(min=0, max=366, help="owners of unpaid bills "
                                                                  "due within N days")]
Service = Annotated[str | None, typer.Option(help="with --bills-due: bills of one service")]
Grievances = Annotated[str | None, typer.Option(help="filers of open grievances in a category")]


def _add(db: Session, crypto: Crypto, row: Campaign, csv_file: Path | None, ward: str | None,
         bills: int | None, service: str | None, category: str | None) -> sources.Added:
    """Expand one audience source into the draft (exactly one must be given)."""
    given = [x for x in (csv_file, ward, bills, category) if x is not None]
    if len(given) != 1:
        raise CampaignError("one_source", 2, "--csv, --ward, --bills-due or --grievances")
    if csv_file is not None:
        with csv_file.open(encoding="utf-8", newline="") as lines:
            return sources.from_csv(db, crypto, row, lines)
    if ward is not None:
        return sources.from_query(db, crypto, row, "ward", ward=ward)
    if category is not None:
        return sources.from_query(db, crypto, row, "grievances", category=category)
    return sources.from_query(db, crypto, row, "bills_due", within_days=bills, service=service,
                              today=utcnow().astimezone(IST).date())


def _say(row: Campaign, added: sources.Added) -> None:
    """Every refused row with its line, then the figures."""
    for refused in added.errors:
        console.print(f"line {refused.line}: {refused.code} {refused.detail}".rstrip())
    unlisted = sum(added.summary.errors.values()) - len(added.errors)
    if unlisted > 0:
        console.print(f"… and {unlisted} more refused rows (counted by code below)")
    console.print(f"{row.id} {row.name}: {added.written} recipients, left out "
                  f"{added.excluded}, duplicates {added.duplicates}, refused "
                  f"{dict(added.summary.errors)}, total {row.total}")


@campaigns_app.command("create")
def create(tenant: Annotated[str, typer.Argument(help="the city (pb.amritsar)")],
           spec: Annotated[Path, typer.Option(help="JSON: name, purpose, steps, content …")],
           csv_file: Csv = None, ward: Ward = None, bills_due: BillsDue = None,
           service: Service = None, grievances: Grievances = None, actor: As = None) -> None:
    """Create a draft campaign and expand one audience source into the campaign outbox."""
    data = json.loads(spec.read_text(encoding="utf-8"))
    when = parse_ist(data["scheduled_at"]) if data.get("scheduled_at") else None
    draft = control.Draft(data["name"], data["purpose"], data["steps"], data["content"],
                          data.get("default_language", "en"), data.get("fallback_seconds"),
                          data.get("rate_cap"), when)
    crypto = _crypto()
    with cli_session() as db:
        try:
            row = control.create(db, tenant_id=tenant, draft=draft, actor=actor or cli_actor())
            added = _add(db, crypto, row, csv_file, ward, bills_due, service, grievances)
        except CampaignError as exc:
            raise _fail(exc) from None
        db.commit()
        _say(row, added)


@campaigns_app.command("add")
def add(campaign_id: Id, csv_file: Csv = None, ward: Ward = None, bills_due: BillsDue = None,
        service: Service = None, grievances: Grievances = None) -> None:
    """Add another audience source to a draft (numbers already in it count as duplicates)."""
    crypto = _crypto()
    with cli_session() as db:
        row = db.get_one(Campaign, campaign_id)
        try:
            added = _add(db, crypto, row, csv_file, ward, bills_due, service, grievances)
        except CampaignError as exc:
            raise _fail(exc) from None
        db.commit()
        _say(row, added)


@campaigns_app.command("preview")
def preview(campaign_id: Id) -> None:
    """Rendered message per language, SMS encoding and segments, cost and drain time."""
    with cli_session() as db:
        row = db.get_one(Campaign, campaign_id)
        found = estimate.preview(db, _crypto(), row,
                                 price_table(get_settings().send_prices_paise))
    for lang in found.languages:
        sms = f" [{lang.encoding}, {lang.segments} segment(s)]" if lang.segments else ""
        console.print(f"[bold]{lang.language}[/bold] × {lang.recipients}{sms}: {lang.text}")
    for channel, paise in found.cost_paise.items():
        console.print(f"cost on {channel}: ₹{paise // 100:,}.{paise % 100:02d}")
    if found.drain_seconds is not None:
        console.print(f"at {found.rate_per_second:.0f}/s: about {found.drain_seconds:.0f} s")
    console.print(f"left out: {found.excluded}")


def _act(campaign_id: str, action: str, actor: str | None) -> None:
    """Apply one action and say the new state; chunks are queued when Celery is in use (the
    embedded gateway's tick picks a started campaign up within a sweep)."""
    settings = get_settings()
    with cli_session() as db:
        row = db.get_one(Campaign, campaign_id)
        try:
            control.act(db, row, action, actor=actor or cli_actor(), now=utcnow(),
                        default_threshold=settings.campaign_approval_threshold)
        except CampaignError as exc:
            raise _fail(exc) from None
        db.commit()
        console.print(f"{row.id}: {row.status}")
    if action in ("start", "resume") and settings.uses_celery:
        from services.campaigns.tasks import CeleryRunner

        CeleryRunner().chunks(campaign_id, settings.campaign_parallel)


for _name in ("submit", "approve", "start", "pause", "resume", "cancel", "abort"):
    def _command(campaign_id: Id, actor: As = None, _action: str = _name) -> None:
        _act(campaign_id, _action, actor)
    _command.__doc__ = f"{_name.capitalize()} the campaign."
    campaigns_app.command(_name)(_command)


@campaigns_app.command("follow")
def follow(campaign_id: Id, interval: Annotated[float, typer.Option(min=0.2)] = 1.0,
           once: Annotated[bool, typer.Option(help="print the counters once")] = False) -> None:
    """Live counters with a progress bar and the send rate, until the campaign ends."""
    with cli_session() as db, Progress(TextColumn("{task.description}"), BarColumn(),
                                       MofNCompleteColumn(), TextColumn("{task.fields[rate]}"),
                                       TimeElapsedColumn(), console=console,
                                       disable=once) as bar:
        row = db.get_one(Campaign, campaign_id)
        task = bar.add_task(row.name, total=row.total or 1, rate="")
        last, at = 0, time.monotonic()
        while True:
            db.expire_all()
            row = db.get_one(Campaign, campaign_id)
            figures = report.counters(db, row)
            done = figures.sent + sum(figures.failed.values()) + figures.cancelled
            now = time.monotonic()
            rate = (figures.sent - last) / max(now - at, 1e-6)
            last, at = figures.sent, now
            bar.update(task, completed=done, rate=f"{rate:,.0f}/s {row.status}")
            if once or row.status in FINAL:
                break
            time.sleep(interval)
    console.print(json.dumps(figures.__dict__ | {"status": row.status}))


@campaigns_app.command("report")
def report_command(campaign_id: Id,
                   out: Annotated[Path | None, typer.Option(help="file (default stdout)")] = None
                   ) -> None:
    """The final report: one CSV row per recipient."""
    with cli_session() as db:
        row = db.get_one(Campaign, campaign_id)
        target = out.open("w", encoding="utf-8", newline="") if out else sys.stdout
        for chunk in report.report_lines(db, _crypto(), row):
            target.write(chunk)
        if out:
            target.close()


@campaigns_app.command("threshold")
def threshold(tenant: Annotated[str, typer.Argument(help="a state or a city")],
              value: Annotated[int, typer.Argument(min=0)], actor: As = None) -> None:
    """Above this many recipients a campaign needs a second staff member's approval."""
    with cli_session() as db:
        control.set_threshold(db, tenant_id=tenant, value=value, actor=actor or cli_actor())
        db.commit()
    console.print(f"{tenant}: approval needed above {value} recipients")
