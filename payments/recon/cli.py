"""`nagarsetu finance …`: imports (with progress bars), reconciliation, exceptions, reports.

The command line is an operator's: it acts as `cli:<os user>` on the tenant it is given, and
every change it makes is in the configuration log like the API's.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import select

from payments.accounts import active_account
from payments.recon.bank import MappingError, import_statement, set_mapping
from payments.recon.cancellations import CancelError, cancel_receipt
from payments.recon.detect import reconcile
from payments.recon.exceptions import ExceptionError, listing, resolve
from payments.recon.export import write_csv, write_xlsx
from payments.recon.gateway_reports import ReportError, days, import_csv, import_day
from payments.recon.imports import ImportReport
from payments.recon.models import BankHoliday
from payments.recon.reports import REPORTS
from payments.recon.workdays import set_holiday, state_of
from services.audit.record import cli_actor
from services.db.cli_session import cli_session
from services.security.crypto import Crypto
from services.settings import get_settings

finance_app = typer.Typer(help="Reconciliation and finance reports of a city.",
                          no_args_is_help=True)
console = Console()
Tenant = Annotated[str, typer.Option(help="the city (pb.amritsar)")]


def _bar() -> Progress:
    """A progress bar for a long import."""
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console)


def _show(report: ImportReport, label: str) -> None:
    """What an import did, bad rows by line."""
    if report.duplicate_file:
        console.print(f"{label}: already imported (import {report.import_id}); nothing changed")
        return
    console.print(f"{label}: {report.rows_total} rows, {report.rows_new} new, "
                  f"{report.rows_updated} updated, {report.rows_bad} bad")
    for bad in report.errors[:50]:
        console.print(f"  line {bad.line}: {bad.code} {bad.field}")


def _lines(path: Path) -> int:
    """Rows in a CSV file (for the progress bar's total)."""
    with path.open("rb") as handle:
        return max(sum(1 for _ in handle) - 1, 0)


@finance_app.command("import-settlements")
def import_settlements(
    tenant: Tenant,
    file: Annotated[Path | None, typer.Option(help="a settlement report CSV")] = None,
    first: Annotated[str | None, typer.Option("--from", help="fetch from this day")] = None,
    last: Annotated[str | None, typer.Option("--to", help="fetch to this day")] = None,
    gateway: Annotated[str, typer.Option(help="the gateway of a CSV")] = "razorpay",
) -> None:
    """Import the gateway's settlement report: a CSV, or days fetched through its API."""
    if (file is None) == (first is None):
        raise typer.BadParameter("give --file, or --from (and --to)")
    with cli_session() as db, _bar() as bar:
        try:
            if file is not None:
                task = bar.add_task(file.name, total=_lines(file))
                report = import_csv(db, tenant_id=tenant, gateway=gateway,
                                    data=file.read_bytes(), filename=file.name,
                                    actor=cli_actor(),
                                    progress=lambda n: bar.advance(task, n))
                db.commit()
                bar.stop()
                _show(report, file.name)
                return
            account = active_account(db, tenant)
            if account is None:
                raise typer.BadParameter(f"{tenant} has no active gateway account")
            crypto = Crypto(get_settings().secret_key.get_secret_value())
            wanted = days(date.fromisoformat(first or ""), date.fromisoformat(last or first or ""))
            task = bar.add_task("days", total=len(wanted))
            reports = []
            for day in wanted:
                reports.append((day, import_day(db, crypto, account, day, actor=cli_actor())))
                db.commit()  # each day on its own: a failure later keeps the days done
                bar.advance(task)
        except (ReportError, ValueError) as exc:
            raise typer.BadParameter(getattr(exc, "code", str(exc))) from None
    for day, report in reports:
        _show(report, day.isoformat())


@finance_app.command("import-bank")
def import_bank(tenant: Tenant, file: Annotated[Path, typer.Option(help="the statement CSV")],
                mapping: Annotated[str, typer.Option(help="the bank mapping")] = "default",
                ) -> None:
    """Import a bank statement CSV read with a bank's column mapping."""
    with cli_session() as db, _bar() as bar:
        task = bar.add_task(file.name, total=_lines(file))
        try:
            report = import_statement(db, tenant_id=tenant, mapping_name=mapping,
                                      data=file.read_bytes(), filename=file.name,
                                      actor=cli_actor(), progress=lambda n: bar.advance(task, n))
        except MappingError as exc:
            raise typer.BadParameter(exc.code) from None
        db.commit()
    _show(report, file.name)


@finance_app.command("set-mapping")
def mapping_set(tenant: Annotated[str, typer.Option(help="a city or a state (pb)")],
                name: Annotated[str, typer.Option(help="the mapping's name (sbi, hdfc)")],
                columns: Annotated[str, typer.Option(help="JSON of the columns")]) -> None:
    """Create or change a bank's column mapping (audited)."""
    try:
        parsed = json.loads(columns)
        with cli_session() as db:
            set_mapping(db, tenant_id=tenant, name=name, columns=parsed, actor=cli_actor())
            db.commit()
    except (ValueError, MappingError) as exc:
        raise typer.BadParameter(getattr(exc, "code", "invalid_json")) from None
    console.print(f"mapping {name} saved for {tenant}")


@finance_app.command("add-holiday")
def holiday_add(scope: Annotated[str, typer.Option(help="a state (pb) or a city")],
                day: Annotated[str, typer.Option(help="YYYY-MM-DD")],
                name: Annotated[str, typer.Option(help="the holiday")] = "") -> None:
    """Declare a bank holiday (counted out of T+2 settlement days)."""
    with cli_session() as db:
        added = set_holiday(db, scope=scope, day=date.fromisoformat(day), name=name,
                            actor=cli_actor())
        db.commit()
    console.print(f"{day} {'added' if added else 'was already a holiday'} for {scope}")


@finance_app.command("holidays")
def holidays(tenant: Tenant) -> None:
    """The bank holidays a city keeps (its state's and its own)."""
    with cli_session() as db:
        for row in db.scalars(select(BankHoliday).where(
                BankHoliday.tenant_id.in_((tenant, state_of(tenant))))
                .order_by(BankHoliday.day)):
            typer.echo(f"{row.day.isoformat()}\t{row.tenant_id}\t{row.name}")


@finance_app.command("reconcile")
def run(tenant: Tenant, as_of: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
        ) -> None:
    """Reconcile a city: every exception found, the ones gone away cleared."""
    with cli_session() as db:
        report = reconcile(db, tenant, date.fromisoformat(as_of) if as_of else None)
        db.commit()
    console.print(f"as of {report.as_of} (captured on or before {report.overdue_before} "
                  f"must be settled): {report.cleared} cleared")
    for kind, count in sorted(report.open_by_kind.items()):
        console.print(f"  {kind}: {count} open")


@finance_app.command("exceptions")
def show_exceptions(tenant: Tenant, status: str = "open", kind: str | None = None) -> None:
    """Exceptions, one tab-separated line each."""
    with cli_session() as db:
        for e in listing(db, tenant, status=status, kind=kind):
            typer.echo("\t".join((e.id, e.kind, e.ref_key, e.status, e.note or "")))


@finance_app.command("resolve")
def resolve_one(exception_id: str, tenant: Tenant,
                note: Annotated[str, typer.Option(help="why it is resolved")]) -> None:
    """Resolve an exception with a note (audited; the evidence stays)."""
    with cli_session() as db:
        try:
            resolve(db, exception_id=exception_id, scope=tenant, actor=cli_actor(), note=note)
        except ExceptionError as exc:
            raise typer.BadParameter(exc.code) from None
        db.commit()
    console.print(f"exception {exception_id} resolved")


@finance_app.command("cancel-receipt")
def cancel(number: str, tenant: Tenant, reason: str,
           note: Annotated[str, typer.Option(help="why")]) -> None:
    """Cancel a receipt (refunded, wrong_bill, duplicate, bounced, other)."""
    with cli_session() as db:
        try:
            cancel_receipt(db, scope=tenant, number=number, reason=reason, note=note,
                           actor=cli_actor())
        except CancelError as exc:
            raise typer.BadParameter(exc.code) from None
        db.commit()
    console.print(f"receipt {number} cancelled")


@finance_app.command("report")
def report(name: Annotated[str, typer.Argument(help=", ".join(REPORTS))], tenant: Tenant,
           first: Annotated[str, typer.Option("--from", help="YYYY-MM-DD")],
           last: Annotated[str | None, typer.Option("--to", help="YYYY-MM-DD")] = None,
           out: Annotated[Path | None, typer.Option(help="file (.csv or .xlsx)")] = None,
           ) -> None:
    """Write a report as CSV (to the terminal, or a .csv file) or XLSX (a .xlsx file)."""
    if name not in REPORTS:
        raise typer.BadParameter(f"one of: {', '.join(REPORTS)}")
    start = date.fromisoformat(first)
    with cli_session() as db:
        table = REPORTS[name](db, tenant, start, date.fromisoformat(last) if last else start)
        if out is None:
            write_csv(table, sys.stdout)
        elif out.suffix == ".xlsx":
            with out.open("wb") as handle:
                write_xlsx(table, handle)
        else:
            with out.open("w", encoding="utf-8", newline="") as handle:
                write_csv(table, handle)
    if out is not None:
        console.print(f"{name} written to {out}")
