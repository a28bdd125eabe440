"""Staff HTTP API for tenants: list and read within the key's scope; admins add and edit.

Errors answer `{"detail": {"code": ...}}`: 401 `unauthenticated`, 403 `forbidden_role` (not
an admin) or `forbidden_tenant` (outside the key's scope), 404 `not_found`, 409
`tenant_exists` or `code_taken`, 422 `invalid_request` or a field's code (services.tenancy.
admin) with `fields`. Every change is recorded in the configuration change log.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from services.grievances.schemas import NO_CONTROLS
from services.staff.auth import Principal, Role
from services.tenancy.admin import TenantError, TenantFields, create_tenant, update_tenant
from services.tenancy.models import Tenant
from services.tenancy.service import language_settings
from services.web.deps import CtxDep, DbDep, StaffDep
from services.web.errors import API_RESPONSES

router = APIRouter(prefix="/api/v1/tenants", tags=["tenants"], responses=API_RESPONSES)
CONFLICTS = frozenset({"tenant_exists", "code_taken"})

Short = Annotated[str, StringConstraints(max_length=64, pattern=NO_CONTROLS)]
Text = Annotated[str, StringConstraints(max_length=300, pattern=NO_CONTROLS)]
Language = Annotated[str, StringConstraints(max_length=8)]
PerLanguage = Annotated[dict[Language, Text], Field(max_length=20)]


class TenantChange(BaseModel):
    """Fields to set; an absent field is left as it is. An empty `languages` makes a city
    inherit its state's; an empty string clears phone, e-mail or website."""

    model_config = ConfigDict(extra="forbid")

    code: Annotated[str, StringConstraints(max_length=16)] | None = None
    names: PerLanguage | None = None
    default_language: Language | None = None
    languages: Annotated[list[Language], Field(max_length=20)] | None = None
    phone: Annotated[str, StringConstraints(max_length=32)] | None = None
    email: Annotated[str, StringConstraints(max_length=254)] | None = None
    website: Annotated[str, StringConstraints(max_length=255)] | None = None
    address: PerLanguage | None = None
    hours: PerLanguage | None = None
    """Office hours per language (an empty object clears them)."""

    def fields(self) -> TenantFields:
        """As the admin service takes them."""
        return TenantFields(code=self.code, names=self.names,
                            default_language=self.default_language, languages=self.languages,
                            phone=self.phone, email=self.email, website=self.website,
                            address=self.address, hours=self.hours)


class TenantNew(TenantChange):
    """A new state (`pb`) or city (`pb.ludhiana`, under an existing state)."""

    id: Short
    code: Annotated[str, StringConstraints(max_length=16)]
    names: PerLanguage


class TenantOut(BaseModel):
    """A tenant as staff see it; `languages` are the effective ones (a city's may be its
    state's, then `languages_inherited`)."""

    id: str
    parent: str | None
    code: str
    names: dict[str, str]
    default_language: str
    languages: list[str]
    languages_inherited: bool
    phone: str | None
    email: str | None
    website: str | None
    address: dict[str, str]
    hours: dict[str, str]

    @classmethod
    def of(cls, db: Session, tenant: Tenant) -> TenantOut:
        """Build from the row, with its effective languages."""
        enabled, default = language_settings(db, tenant)
        return cls(id=tenant.id, parent=tenant.parent_id, code=tenant.code,
                   names=dict(tenant.names or {}), default_language=default,
                   languages=enabled, languages_inherited=not tenant.languages,
                   phone=tenant.phone, email=tenant.email, website=tenant.website,
                   address=dict(tenant.address or {}), hours=dict(tenant.hours or {}))


def _error(code: str, status: int) -> HTTPException:
    """An API error carrying a stable code."""
    return HTTPException(status, detail={"code": code})


def _refused(exc: TenantError) -> HTTPException:
    """A refused change: 409 for a conflict, else 422, naming the field."""
    detail: dict[str, object] = {"code": exc.code}
    if exc.field:
        detail["fields"] = [{"loc": ["body", exc.field], "type": exc.code}]
    return HTTPException(409 if exc.code in CONFLICTS else 422, detail=detail)


def _admin_over(staff: Principal, tenant_id: str) -> None:
    """403 unless an admin whose scope covers the tenant."""
    if staff.role is not Role.ADMIN:
        raise _error("forbidden_role", 403)
    if not staff.covers(tenant_id):
        raise _error("forbidden_tenant", 403)


@router.get("")
def list_tenants(db: DbDep, staff: StaffDep) -> list[TenantOut]:
    """The tenants in your scope: your state and its cities, or your city."""
    rows = db.scalars(select(Tenant).where(or_(
        Tenant.id == staff.scope, Tenant.id.like(staff.scope.replace("_", r"\_") + ".%",
                                                 escape="\\"))).order_by(Tenant.id))
    return [TenantOut.of(db, row) for row in rows]


@router.get("/{tenant_id}")
def get_tenant(tenant_id: str, db: DbDep, staff: StaffDep) -> TenantOut:
    """One tenant in your scope (404 also for one outside it)."""
    row = db.get(Tenant, tenant_id) if staff.covers(tenant_id) else None
    if row is None:
        raise _error("not_found", 404)
    return TenantOut.of(db, row)


@router.post("", status_code=201)
def add_tenant(body: TenantNew, ctx: CtxDep, db: DbDep, staff: StaffDep) -> TenantOut:
    """Add a city under your state (or a state, with a scope that covers it); admins only."""
    _admin_over(staff, body.id)
    try:
        row = create_tenant(db, body.id, body.fields(), actor=staff.actor)
    except TenantError as exc:
        db.rollback()
        raise _refused(exc) from None
    db.commit()
    ctx.master.clear()
    return TenantOut.of(db, row)


@router.patch("/{tenant_id}")
def edit_tenant(tenant_id: str, body: TenantChange, ctx: CtxDep, db: DbDep,
                staff: StaffDep) -> TenantOut:
    """Change a tenant's names, code, languages or public contact details; admins only."""
    _admin_over(staff, tenant_id)
    row = db.get(Tenant, tenant_id)
    if row is None:
        raise _error("not_found", 404)
    try:
        update_tenant(db, row, body.fields(), actor=staff.actor)
    except TenantError as exc:
        db.rollback()
        raise _refused(exc) from None
    db.commit()
    ctx.master.clear()
    return TenantOut.of(db, row)
