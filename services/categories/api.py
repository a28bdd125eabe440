"""Admin API for grievance categories: list, add, change, retire (audited as the key)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from services.categories.service import (
    CategoryFields,
    add_category,
    categories,
    edit_category,
    retire_category,
    snapshot,
)
from services.validation import Invalid
from services.web.admin import readable, refused, writable
from services.web.deps import CtxDep, DbDep, StaffDep
from services.web.errors import API_RESPONSES

router = APIRouter(prefix="/api/v1/categories", tags=["configuration"],
                   responses=API_RESPONSES)
Code = Annotated[str, Field(min_length=1, max_length=64)]
Text = Annotated[str, Field(max_length=200)]
PATH = frozenset({"unknown_category"})
"""The refusal that is about the category the path names (404)."""


class CategoryOut(BaseModel):
    """A category as configured."""

    code: str
    names: dict[str, str]
    sla_hours: int
    department: str | None
    photo_required: bool
    location_required: bool
    keywords: list[str]
    menu_path: str
    active: bool


class CategoryChange(BaseModel):
    """Fields to change; those left out stay as they are (names merge per language)."""

    names: dict[Annotated[str, Field(max_length=8)], Text] | None = None
    sla_hours: int | None = None
    department: Annotated[str, Field(max_length=64)] | None = None
    photo_required: bool | None = None
    location_required: bool | None = None
    keywords: list[Annotated[str, Field(max_length=64)]] | None = Field(None, max_length=50)
    menu_path: Annotated[str, Field(max_length=64)] | None = None
    active: bool | None = None

    def fields(self) -> CategoryFields:
        """As the service's fields."""
        return CategoryFields(**self.model_dump(exclude_none=True))


class CategoryIn(CategoryChange):
    """A new category: a code, an English name and the SLA at least."""

    code: Code


def _out(data: dict[str, Any]) -> CategoryOut:
    """The response model of a snapshot."""
    return CategoryOut(**data)


@router.get("/{tenant}")
def list_categories(tenant: str, db: DbDep, staff: StaffDep) -> list[CategoryOut]:
    """Every category of a city, retired ones included."""
    readable(db, staff, tenant)
    return [_out(snapshot(row)) for row in categories(db, tenant)]


@router.post("/{tenant}", status_code=201)
def create(tenant: str, body: CategoryIn, ctx: CtxDep, db: DbDep,
           staff: StaffDep) -> CategoryOut:
    """Add a category (admins)."""
    writable(db, staff, tenant)
    try:
        row = add_category(db, tenant_id=tenant, code=body.code,
                           spec=CategoryChange(**body.model_dump(exclude={"code"})).fields(),
                           actor=staff.actor)
    except Invalid as exc:
        db.rollback()
        raise refused(exc) from None
    db.commit()
    ctx.master.clear()
    return _out(snapshot(row))


@router.patch("/{tenant}/{code}")
def change(tenant: str, code: str, body: CategoryChange, ctx: CtxDep, db: DbDep,
           staff: StaffDep) -> CategoryOut:
    """Change a category (admins)."""
    writable(db, staff, tenant)
    try:
        row = edit_category(db, tenant_id=tenant, code=code, spec=body.fields(),
                            actor=staff.actor)
    except Invalid as exc:
        db.rollback()
        raise refused(exc, PATH) from None
    db.commit()
    ctx.master.clear()
    return _out(snapshot(row))


@router.post("/{tenant}/{code}/retire")
def retire(tenant: str, code: str, ctx: CtxDep, db: DbDep, staff: StaffDep) -> CategoryOut:
    """No longer offer a category to citizens; its grievances and history stay (admins)."""
    writable(db, staff, tenant)
    try:
        row = retire_category(db, tenant_id=tenant, code=code, actor=staff.actor)
    except Invalid as exc:
        db.rollback()
        raise refused(exc, PATH) from None
    db.commit()
    ctx.master.clear()
    return _out(snapshot(row))
