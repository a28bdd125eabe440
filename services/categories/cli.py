"""`nagarsetu categories add | edit | retire | list | import | export | import-digit`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from services.audit.record import cli_actor
from services.categories.files import export_csv, import_csv, import_service_defs
from services.categories.service import (
    CategoryFields,
    add_category,
    categories,
    edit_category,
    retire_category,
)
from services.cli_support import console, names_of, refuse, table
from services.db.cli_session import cli_session
from services.validation import Invalid

categories_app = typer.Typer(help="Grievance categories of a city.", no_args_is_help=True)
Tenant = Annotated[str, typer.Argument(help="the city, e.g. pb.amritsar")]
Code = Annotated[str, typer.Argument(help="the category code, e.g. garbage")]
Names = Annotated[list[str] | None, typer.Option(
    "--name", help="language=name, repeatable (en=Garbage --name hi=कचरा)")]
Sla = Annotated[int | None, typer.Option("--sla", help="hours to resolve (the SLA)")]
Department = Annotated[str | None, typer.Option(help="the department code responsible")]
Photo = Annotated[bool | None, typer.Option("--photo-required/--photo-optional",
                                            help="the citizen must send a photo")]
Location = Annotated[bool | None, typer.Option("--location-required/--location-optional",
                                               help="the citizen must give the place")]


def _fields(names: list[str] | None, sla: int | None, department: str | None,
            photo: bool | None, location: bool | None) -> CategoryFields:
    """The options as category fields."""
    return CategoryFields(names=names_of(names) or None, sla_hours=sla, department=department,
                          photo_required=photo, location_required=location)


@categories_app.command("add")
def add(tenant: Tenant, code: Code, name: Names = None, sla: Sla = None,
        department: Department = None, photo: Photo = None, location: Location = None) -> None:
    """Add a category (an English name and the SLA are required)."""
    with cli_session() as db:
        try:
            add_category(db, tenant_id=tenant, code=code, actor=cli_actor(),
                         spec=_fields(name, sla, department, photo, location))
        except Invalid as exc:
            refuse(exc)
        db.commit()
    console.print(f"category {code} added to {tenant}")


@categories_app.command("edit")
def edit(tenant: Tenant, code: Code, name: Names = None, sla: Sla = None,
         department: Department = None, photo: Photo = None, location: Location = None,
         restore: Annotated[bool, typer.Option(help="offer a retired category again")]
         = False) -> None:
    """Change a category's names, SLA, department or requirements."""
    spec = _fields(name, sla, department, photo, location)
    if restore:
        spec = CategoryFields(**{**spec.given(), "active": True})
    with cli_session() as db:
        try:
            edit_category(db, tenant_id=tenant, code=code, spec=spec, actor=cli_actor())
        except Invalid as exc:
            refuse(exc)
        db.commit()
    console.print(f"category {code} of {tenant} updated")


@categories_app.command("retire")
def retire(tenant: Tenant, code: Code) -> None:
    """Stop offering a category; its grievances and their history stay."""
    with cli_session() as db:
        try:
            retire_category(db, tenant_id=tenant, code=code, actor=cli_actor())
        except Invalid as exc:
            refuse(exc)
        db.commit()
    console.print(f"category {code} of {tenant} retired")


@categories_app.command("list")
def list_categories(tenant: Tenant) -> None:
    """Every category of a city, retired ones marked."""
    rows = []
    with cli_session() as db:
        for row in categories(db, tenant):
            needs = [k for k, on in (("photo", row.photo_required),
                                     ("location", row.location_required)) if on]
            rows.append((row.code, row.names.get("en", ""), str(row.sla_hours),
                         row.department or "-", ",".join(needs) or "-",
                         "active" if row.active else "retired"))
    table(("code", "name_en", "sla_hours", "department", "requires", "state"), rows)


@categories_app.command("export")
def export(tenant: Tenant) -> None:
    """Write the city's categories as CSV to standard output (the import format)."""
    with cli_session() as db:
        for chunk in export_csv(db, tenant):
            sys.stdout.write(chunk)


@categories_app.command("import")
def import_file(tenant: Tenant,
                path: Annotated[Path, typer.Argument(help="a CSV file (see export)")]) -> None:
    """Add or update categories from CSV: every row applies, or none (bad rows listed)."""
    with cli_session() as db:
        try:
            done = import_csv(db, tenant_id=tenant, text=path.read_text(encoding="utf-8-sig"),
                              actor=cli_actor())
        except Invalid as exc:
            db.rollback()
            refuse(exc)
        db.commit()
    console.print(f"{done.created} added, {done.updated} updated")


@categories_app.command("import-digit")
def import_digit(tenant: Tenant, path: Annotated[Path, typer.Argument(
        help="RAINMAKER-PGR/ServiceDefs.json of a DIGIT state's MDMS data")]) -> None:
    """Add or update categories from DIGIT PGR service definitions (departments as needed)."""
    with cli_session() as db:
        try:
            done = import_service_defs(db, tenant_id=tenant,
                                       text=path.read_text(encoding="utf-8-sig"),
                                       actor=cli_actor())
        except Invalid as exc:
            db.rollback()
            refuse(exc)
        db.commit()
    typer.echo(f"{done.created} added, {done.updated} updated, "
               f"{done.departments} departments created")
