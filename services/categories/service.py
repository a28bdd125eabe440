"""Grievance categories of a tenant: add, edit, retire, list; every change audited.

A retired category keeps its grievances and their history; it is no longer offered to
citizens (master data lists active categories only) and nothing new can be filed under it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.audit.record import record
from services.staff.directory import CODE, clean_names, department, tenant_of
from services.tenancy.models import Category
from services.validation import invalid, printable

MAX_SLA_HOURS = 24 * 366
"""A year: anything longer is a typo."""


@dataclass(frozen=True)
class CategoryFields:
    """What to set on a category; None leaves a field as it is (on edit)."""

    names: Mapping[str, str] | None = None
    """Merged per language: a language not given keeps its name."""
    sla_hours: int | None = None
    department: str | None = None
    """A department code of the tenant; "" for none."""
    photo_required: bool | None = None
    location_required: bool | None = None
    keywords: Sequence[str] | None = None
    menu_path: str | None = None
    active: bool | None = None

    def given(self) -> dict[str, Any]:
        """The fields that were given."""
        return {f.name: getattr(self, f.name) for f in fields(self)
                if getattr(self, f.name) is not None}


def category(db: Session, tenant_id: str, code: str) -> Category | None:
    """A tenant's category by code (retired ones too)."""
    return db.scalar(select(Category).where(Category.tenant_id == tenant_id,
                                            Category.code == code))


def snapshot(row: Category) -> dict[str, Any]:
    """What the change log (and the API) shows of a category."""
    return {"code": row.code, "names": dict(row.names), "sla_hours": row.sla_hours,
            "department": row.department or None, "photo_required": bool(row.photo_required),
            "location_required": bool(row.location_required),
            "keywords": list(row.keywords or []), "menu_path": row.menu_path or "",
            "active": row.active}


def _apply(db: Session, row: Category, given: Mapping[str, Any]) -> None:
    """Validate and set the given fields."""
    if "names" in given:
        row.names = {**(row.names or {}), **clean_names(given["names"])}
    if "sla_hours" in given:
        hours = given["sla_hours"]
        if not isinstance(hours, int) or isinstance(hours, bool) or not \
                0 < hours <= MAX_SLA_HOURS:
            raise invalid("sla_hours", "invalid_sla", f"SLA hours must be 1 to {MAX_SLA_HOURS}")
        row.sla_hours = hours
    if "department" in given and given["department"] != (row.department or ""):
        code = given["department"]  # checked when it changes (seeded codes may predate rows)
        dept = department(db, row.tenant_id, code) if code else None
        if code and (dept is None or not dept.active):
            raise invalid("department", "unknown_department",
                          f"no active department {code!r} in {row.tenant_id}")
        row.department = code or ""
    for flag in ("photo_required", "location_required", "active"):
        if flag in given:
            setattr(row, flag, bool(given[flag]))
    if "keywords" in given:
        words = [str(w).strip() for w in given["keywords"] if str(w).strip()]
        if any(not printable(w, 64) for w in words) or len(words) > 50:
            raise invalid("keywords", "invalid_keywords", "at most 50 keywords of 64 "
                          "printable characters")
        row.keywords = list(dict.fromkeys(words))
    if "menu_path" in given:
        path = str(given["menu_path"]).strip()
        if path and not printable(path, 64):
            raise invalid("menu_path", "invalid_menu_path", "at most 64 printable characters")
        row.menu_path = path


def add_category(db: Session, *, tenant_id: str, code: str, spec: CategoryFields,
                 actor: str) -> Category:
    """Create a category (an English name and an SLA are required)."""
    tenant_of(db, tenant_id)
    if not CODE.match(code):
        raise invalid("code", "invalid_code", f"category code {code!r}: letters, digits, "
                      "'_', '.', '-', at most 64")
    if category(db, tenant_id, code) is not None:
        raise invalid("code", "duplicate", f"{tenant_id} already has a category {code!r}")
    if not (spec.names or {}).get("en") or spec.sla_hours is None:
        raise invalid("names" if spec.sla_hours else "sla_hours", "missing",
                      "a category needs an English name (en=…) and SLA hours")
    row = Category(tenant_id=tenant_id, code=code, names={}, department="", active=True,
                   photo_required=False, location_required=False, keywords=[], menu_path="")
    _apply(db, row, spec.given())
    db.add(row)
    db.flush()
    record(db, tenant_id=tenant_id, actor=actor, entity="category", key=code, action="create",
           after=snapshot(row))
    return row


def edit_category(db: Session, *, tenant_id: str, code: str, spec: CategoryFields,
                  actor: str) -> Category:
    """Change a category; making it inactive is recorded as a retirement."""
    row = category(db, tenant_id, code)
    if row is None:
        raise invalid("code", "unknown_category", f"no category {code!r} in {tenant_id}")
    before = snapshot(row)
    _apply(db, row, spec.given())
    db.flush()
    action = "retire" if before["active"] and not row.active else "update"
    record(db, tenant_id=tenant_id, actor=actor, entity="category", key=code, action=action,
           before=before, after=snapshot(row))
    return row


def retire_category(db: Session, *, tenant_id: str, code: str, actor: str) -> Category:
    """No longer offer a category; its grievances and history stay (a no-op when retired)."""
    return edit_category(db, tenant_id=tenant_id, code=code, spec=CategoryFields(active=False),
                         actor=actor)


def categories(db: Session, tenant_id: str) -> Sequence[Category]:
    """A tenant's categories, retired ones included, by code."""
    return list(db.scalars(select(Category).where(Category.tenant_id == tenant_id)
                           .order_by(Category.code)))


def upsert(db: Session, *, tenant_id: str, code: str, spec: CategoryFields,
           actor: str) -> tuple[Category, bool]:
    """Edit the category when it exists, else add it; (row, created)."""
    if category(db, tenant_id, code) is None:
        return add_category(db, tenant_id=tenant_id, code=code, spec=spec, actor=actor), True
    return edit_category(db, tenant_id=tenant_id, code=code, spec=spec, actor=actor), False
