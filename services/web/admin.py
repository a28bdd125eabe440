"""What the configuration endpoints share: who may read or change a tenant, and refusals.

Reading a tenant's configuration needs a key whose scope covers it; changing it needs the
admin role too. 401 `unauthenticated`, 403 `forbidden_role` / `forbidden_tenant`, 404
`not_found` (an unknown tenant or row), 409 `duplicate`, 422 `invalid_config` or
`invalid_rules` with `fields` naming each problem (`["body", "rules", "row", "3", "ward"]`).
"""

from __future__ import annotations

from fastapi import HTTPException
from sqlalchemy.orm import Session

from services.staff.auth import Principal, Role
from services.tenancy.models import Tenant
from services.validation import Invalid


def error(code: str, status: int) -> HTTPException:
    """An API error carrying a stable code."""
    return HTTPException(status, detail={"code": code})


def readable(db: Session, staff: Principal, tenant_id: str) -> Tenant:
    """The tenant, if the key's scope covers it (any role)."""
    if not staff.covers(tenant_id):
        raise error("forbidden_tenant", 403)
    tenant = db.get(Tenant, tenant_id)
    if tenant is None:
        raise error("not_found", 404)
    return tenant


def writable(db: Session, staff: Principal, tenant_id: str) -> Tenant:
    """The tenant, if the key is an admin's whose scope covers it."""
    if staff.role is not Role.ADMIN:
        raise error("forbidden_role", 403)
    return readable(db, staff, tenant_id)


def refused(exc: Invalid, path_types: frozenset[str] = frozenset()) -> HTTPException:
    """A refusal as an API error: 404 for a row the path names, 409 for a taken code, else
    422 with the problems as `fields` (each `loc` under "body")."""
    types = {p.type for p in exc.problems}
    if types & path_types:
        return error("not_found", 404)
    if "duplicate" in types and len(exc.problems) == 1:
        return error("duplicate", 409)
    fields = [{"loc": ["body", *p.loc], "type": p.type} for p in exc.problems]
    return HTTPException(422, detail={"code": exc.code, "fields": fields})
