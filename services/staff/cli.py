"""`nagarsetu staff add | edit | list` and `nagarsetu departments add | edit | list`."""

from __future__ import annotations

from typing import Annotated

import typer

from services.audit.record import cli_actor
from services.cli_support import console, names_of, refuse, table
from services.db.cli_session import cli_session
from services.security.crypto import Crypto
from services.settings import get_settings
from services.staff.directory import (
    MemberFields,
    add_department,
    add_member,
    departments,
    edit_department,
    edit_member,
    members,
)
from services.staff.models import Department, StaffMember
from services.validation import Invalid

departments_app = typer.Typer(help="Departments of a city.", no_args_is_help=True)
Tenant = Annotated[str, typer.Argument(help="the city (or state), e.g. pb.amritsar")]
Names = Annotated[list[str] | None, typer.Option(
    "--name", help="language=name, repeatable (en=Sanitation --name hi=सफ़ाई)")]
Name = Annotated[str | None, typer.Option(help="the person's name (at most 81 characters)")]
RoleOpt = Annotated[str | None, typer.Option(help="officer, admin, viewer or finance")]
Dept = Annotated[str | None, typer.Option(help="department code (\"\" for none)")]
Designation = Annotated[str | None, typer.Option(help="level in the ladder: JE, EE, …")]
Wards = Annotated[str | None, typer.Option(
    help="comma-separated ward codes covered (\"\" for the whole city)")]
Phone = Annotated[str | None, typer.Option(help="mobile number for SMS notices (\"\" clears)")]
Email = Annotated[str | None, typer.Option(help="e-mail for notices (\"\" clears)")]
Language = Annotated[str | None, typer.Option(help="language of notices (\"\": the city's)")]


def _crypto() -> Crypto:
    """The key ring (phone numbers and e-mail addresses are encrypted)."""
    return Crypto(get_settings().secret_key.get_secret_value())


def _fields(name: str | None, role: str | None, department: str | None,
            designation: str | None, wards: str | None, phone: str | None,
            email: str | None, language: str | None,
            active: bool | None = None) -> MemberFields:
    """The options as member fields."""
    return MemberFields(name=name, role=role, department=department, designation=designation,
                        wards=None if wards is None else wards.split(","), phone=phone,
                        email=email, language=language, active=active)


def add(tenant: Tenant, name: Annotated[str, typer.Option(help="the person's name")],
        role: Annotated[str, typer.Option(help="officer, admin, viewer or finance")] = "officer",
        department: Dept = None, designation: Designation = None, wards: Wards = None,
        phone: Phone = None, email: Email = None, language: Language = None) -> None:
    """Add a named staff member; prints their id (for keys, assignment and routing)."""
    with cli_session() as db:
        try:
            row = add_member(db, _crypto(), tenant_id=tenant, actor=cli_actor(), spec=_fields(
                name, role, department, designation, wards, phone, email, language))
        except Invalid as exc:
            refuse(exc)
        db.commit()
    typer.echo(row.id)


def edit(member_id: Annotated[str, typer.Argument(help="the member's id (staff list)")],
         name: Name = None, role: RoleOpt = None, department: Dept = None,
         designation: Designation = None, wards: Wards = None, phone: Phone = None,
         email: Email = None, language: Language = None,
         active: Annotated[bool | None, typer.Option(
             "--active/--retired", help="retire a member (their keys stop) or restore one")]
         = None) -> None:
    """Change a staff member."""
    with cli_session() as db:
        row = db.get(StaffMember, member_id)
        if row is None:
            raise typer.BadParameter(f"no staff member {member_id!r}")
        try:
            edit_member(db, _crypto(), row=row, actor=cli_actor(), spec=_fields(
                name, role, department, designation, wards, phone, email, language, active))
        except Invalid as exc:
            refuse(exc)
        db.commit()
    console.print(f"staff member {member_id} updated")


def list_members(tenant: Tenant) -> None:
    """Staff members of a city (or of a state and its cities); contacts are not shown."""
    rows = []
    with cli_session() as db:
        codes = {d.id: d.code for d in db.query(Department)}
        for row in members(db, tenant):
            notices = [k for k, v in (("sms", row.phone_enc), ("e-mail", row.email_enc)) if v]
            rows.append((row.id, row.tenant_id, row.name, row.role,
                         codes.get(row.department_id or "", "-"), row.designation or "-",
                         ",".join(row.wards or []) or "all", ",".join(notices) or "-",
                         "active" if row.active else "retired"))
    table(("id", "tenant", "name", "role", "department", "designation", "wards", "notices",
           "state"), rows)


@departments_app.command("add")
def add_dept(tenant: Tenant, code: Annotated[str, typer.Argument(help="e.g. sanitation")],
             name: Names = None) -> None:
    """Add a department."""
    with cli_session() as db:
        try:
            add_department(db, tenant_id=tenant, code=code, names=names_of(name),
                           actor=cli_actor())
        except Invalid as exc:
            refuse(exc)
        db.commit()
    console.print(f"department {code} added to {tenant}")


@departments_app.command("edit")
def edit_dept(tenant: Tenant, code: Annotated[str, typer.Argument(help="the department")],
              name: Names = None,
              active: Annotated[bool | None, typer.Option(
                  "--active/--retired", help="retire a department or restore it")] = None
              ) -> None:
    """Change a department's names, or retire it (rules can no longer name it)."""
    with cli_session() as db:
        try:
            edit_department(db, tenant_id=tenant, code=code, names=names_of(name),
                            active=active, actor=cli_actor())
        except Invalid as exc:
            refuse(exc)
        db.commit()
    console.print(f"department {code} of {tenant} updated")


@departments_app.command("list")
def list_depts(tenant: Tenant) -> None:
    """A city's departments."""
    with cli_session() as db:
        rows = [(row.code, row.names.get("en", ""), ",".join(sorted(row.names)),
                 "active" if row.active else "retired") for row in departments(db, tenant)]
    table(("code", "name_en", "languages", "state"), rows)
