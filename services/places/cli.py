"""`nagarsetu places import|export`: a city's wards and localities from and to files."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from services.audit.record import cli_actor
from services.db.cli_session import cli_session
from services.places.export import city_name, stored_places
from services.places.formats import MAX_BYTES, Format, guess, read, write
from services.places.importer import Report, import_places
from services.places.spec import PlacesError

LocalOption = Annotated[str | None, typer.Option(
    "--local-language", help="DIGIT: the language of `localname` (e.g. pa)")]
places_app = typer.Typer(help="Wards and localities (CSV, GeoJSON, DIGIT boundary data).",
                         no_args_is_help=True)


def _fail(exc: PlacesError) -> typer.Exit:
    """Print a refused file's error code (and where) and exit 2."""
    where = f" at {exc.place}" if exc.place else ""
    reason = f" ({exc.detail})" if exc.detail else ""
    typer.echo(f"refused {exc.code}{where}{reason}", err=True)
    return typer.Exit(2)


@places_app.command("import")
def import_command(
    tenant: Annotated[str, typer.Argument(help="the city, e.g. pb.ludhiana")],
    file: Annotated[Path, typer.Argument(help="the file to read", exists=True, dir_okay=False)],
    fmt: Annotated[Format | None, typer.Option(
        "--format", help="csv, geojson or digit (default: from the file name)")] = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="show what would change, write nothing")] = False,
    partial: Annotated[bool, typer.Option(
        "--partial", help="only add and update: retire nothing the file leaves out")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
    local_language: LocalOption = None,
) -> None:
    """Import places; codes already known are updated in place, and a full import retires
    the places (of the kinds the file lists) that it no longer lists."""
    try:
        if file.stat().st_size > MAX_BYTES:
            raise PlacesError("file_too_large", detail=str(MAX_BYTES))
        places = read(fmt or guess(file), file.read_bytes(), tenant, local_language)
        with cli_session() as db:
            report = import_places(db, tenant, places, actor=cli_actor(), full=not partial,
                                   dry_run=dry_run)
            if dry_run:
                db.rollback()
            else:
                db.commit()
    except PlacesError as exc:
        raise _fail(exc) from None
    if as_json:
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=1))
    else:
        typer.echo(summary(report))


def summary(report: Report) -> str:
    """The report as a few lines for a person."""
    lines = [f"{report.tenant}: {'dry run, nothing written' if report.dry_run else 'imported'}"]
    for title, items in (("added", report.added), ("renamed", report.renamed),
                         ("moved", report.moved), ("updated", report.updated),
                         ("restored", report.restored), ("retired", report.retired)):
        for item in items:
            extra = f" {item['from']} → {item['to']}" if title == "moved" else ""
            lines.append(f"  {title:<9}{item['kind']:<9}{item['code']}{extra}")
    lines.append(f"  {report.unchanged} unchanged")
    for overlap in report.overlaps:
        first, second = overlap["codes"]
        lines.append(f"  warning  wards {first} and {second} overlap "
                     f"({overlap['share']:.1%} of the smaller)")
    return "\n".join(lines)


@places_app.command("export")
def export_command(
    tenant: Annotated[str, typer.Argument(help="the city, e.g. pb.ludhiana")],
    fmt: Annotated[Format, typer.Option("--format", help="csv, geojson or digit")],
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="write here instead of standard output")] = None,
    local_language: LocalOption = None,
) -> None:
    """Write the city's active wards and localities in a format (re-importable as is)."""
    try:
        with cli_session() as db:
            data = write(fmt, stored_places(db, tenant), tenant, city_name(db, tenant),
                         local_language)
    except PlacesError as exc:
        raise _fail(exc) from None
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        output.write_bytes(data)
