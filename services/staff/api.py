"""Admin API for departments and staff members (and a member's API keys), audited as the key.

Staff endpoints are for admins only, reading included: they show phone numbers and e-mail
addresses. Departments may be read by any key covering the city.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from services.audit.record import record
from services.staff.auth import create_key
from services.staff.directory import (
    MemberFields,
    add_department,
    add_member,
    contact_of,
    department_snapshot,
    departments,
    edit_department,
    edit_member,
    members,
)
from services.staff.models import Department, StaffMember
from services.validation import Invalid
from services.web.admin import error, readable, refused, writable
from services.web.deps import CtxDep, DbDep, StaffDep
from services.web.errors import API_RESPONSES

router = APIRouter(prefix="/api/v1", tags=["configuration"], responses=API_RESPONSES)
Short = Annotated[str, Field(max_length=200)]


class DepartmentOut(BaseModel):
    """A department."""

    code: str
    names: dict[str, str]
    active: bool


class DepartmentChange(BaseModel):
    """Names to merge in, or retire/restore."""

    names: dict[Annotated[str, Field(max_length=8)], Short] | None = None
    active: bool | None = None


class DepartmentIn(BaseModel):
    """A new department."""

    code: Annotated[str, Field(min_length=1, max_length=64)]
    names: dict[Annotated[str, Field(max_length=8)], Short] = {}


class MemberChange(BaseModel):
    """Fields to change on a member; "" clears department, phone, e-mail or language."""

    name: Short | None = None
    role: Annotated[str, Field(max_length=16)] | None = None
    department: Annotated[str, Field(max_length=64)] | None = None
    designation: Annotated[str, Field(max_length=32)] | None = None
    wards: list[Annotated[str, Field(max_length=32)]] | None = Field(None, max_length=500)
    phone: Annotated[str, Field(max_length=32)] | None = None
    email: Annotated[str, Field(max_length=254)] | None = None
    language: Annotated[str, Field(max_length=8)] | None = None
    active: bool | None = None

    def fields(self) -> MemberFields:
        """As the service's fields."""
        return MemberFields(**self.model_dump(exclude_none=True))


class MemberIn(MemberChange):
    """A new member: a name and a role at least."""

    name: Short
    role: Annotated[str, Field(max_length=16)]


class MemberOut(BaseModel):
    """A staff member as admins see them."""

    id: str
    tenant_id: str
    name: str
    role: str
    department: str | None
    designation: str
    wards: list[str]
    phone: str | None
    email: str | None
    language: str | None
    active: bool


class KeyOut(BaseModel):
    """A new API key, shown once."""

    key: str


def _dept_out(row: Department) -> DepartmentOut:
    """The response model of a department."""
    return DepartmentOut(**department_snapshot(row))


def _member_out(ctx: CtxDep, db: DbDep, row: StaffMember) -> MemberOut:
    """The response model of a member, contacts decrypted."""
    dept = db.get(Department, row.department_id) if row.department_id else None
    return MemberOut(id=row.id, tenant_id=row.tenant_id, name=row.name, role=row.role,
                     department=dept.code if dept else None, designation=row.designation,
                     wards=list(row.wards or []), language=row.language, active=row.active,
                     **contact_of(ctx.crypto, row))


@router.get("/departments/{tenant}")
def list_departments(tenant: str, db: DbDep, staff: StaffDep) -> list[DepartmentOut]:
    """A city's departments."""
    readable(db, staff, tenant)
    return [_dept_out(row) for row in departments(db, tenant)]


@router.post("/departments/{tenant}", status_code=201)
def create_department(tenant: str, body: DepartmentIn, db: DbDep,
                      staff: StaffDep) -> DepartmentOut:
    """Add a department (admins)."""
    writable(db, staff, tenant)
    try:
        row = add_department(db, tenant_id=tenant, code=body.code, names=body.names,
                             actor=staff.actor)
    except Invalid as exc:
        db.rollback()
        raise refused(exc) from None
    db.commit()
    return _dept_out(row)


@router.patch("/departments/{tenant}/{code}")
def change_department(tenant: str, code: str, body: DepartmentChange, db: DbDep,
                      staff: StaffDep) -> DepartmentOut:
    """Rename or retire a department (admins)."""
    writable(db, staff, tenant)
    try:
        row = edit_department(db, tenant_id=tenant, code=code, names=body.names,
                              active=body.active, actor=staff.actor)
    except Invalid as exc:
        db.rollback()
        raise refused(exc, frozenset({"unknown_department"})) from None
    db.commit()
    return _dept_out(row)


@router.get("/staff/{tenant}")
def list_staff(tenant: str, ctx: CtxDep, db: DbDep, staff: StaffDep) -> list[MemberOut]:
    """Staff members of a city, or of a state and its cities (admins)."""
    writable(db, staff, tenant)
    return [_member_out(ctx, db, row) for row in members(db, tenant)]


@router.post("/staff/{tenant}", status_code=201)
def create_member(tenant: str, body: MemberIn, ctx: CtxDep, db: DbDep,
                  staff: StaffDep) -> MemberOut:
    """Add a staff member (admins)."""
    writable(db, staff, tenant)
    try:
        row = add_member(db, ctx.crypto, tenant_id=tenant, spec=body.fields(),
                         actor=staff.actor)
    except Invalid as exc:
        db.rollback()
        raise refused(exc) from None
    db.commit()
    return _member_out(ctx, db, row)


def _member(db: DbDep, staff: StaffDep, member_id: str) -> StaffMember:
    """A member an admin's scope covers; 404 for any other (even when it exists)."""
    row = db.get(StaffMember, member_id)
    if row is None or not staff.covers(row.tenant_id):
        raise error("not_found", 404)
    writable(db, staff, row.tenant_id)
    return row


@router.patch("/staff/{tenant}/{member_id}")
def change_member(tenant: str, member_id: str, body: MemberChange, ctx: CtxDep, db: DbDep,
                  staff: StaffDep) -> MemberOut:
    """Change or retire a member; a retired member's keys stop working (admins)."""
    writable(db, staff, tenant)
    row = _member(db, staff, member_id)
    if row.tenant_id != tenant:
        raise error("not_found", 404)
    try:
        edit_member(db, ctx.crypto, row=row, spec=body.fields(), actor=staff.actor)
    except Invalid as exc:
        db.rollback()
        raise refused(exc) from None
    db.commit()
    return _member_out(ctx, db, row)


@router.post("/staff/{tenant}/{member_id}/keys", status_code=201)
def create_member_key(tenant: str, member_id: str, db: DbDep, staff: StaffDep) -> KeyOut:
    """A new API key for a member, acting with their role and scope; shown once (admins)."""
    writable(db, staff, tenant)
    row = _member(db, staff, member_id)
    if row.tenant_id != tenant or not row.active:
        raise error("not_found", 404)
    key = create_key(db, scope=row.tenant_id, role=staff.role, member=row)
    record(db, tenant_id=row.tenant_id, actor=staff.actor, entity="staff_key",
           key=key.split("_")[1], action="create", after={"staff": row.id})
    db.commit()
    return KeyOut(key=key)
