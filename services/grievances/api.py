"""Staff HTTP API for grievances: list with filters, read with history, assign/resolve/reject."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field

from services.db.base import utcnow
from services.grievances.builtin import BuiltinRegistry
from services.grievances.notify import notify_status
from services.grievances.registry import (
    STATUSES,
    Filters,
    GrievanceView,
    InvalidTransition,
    NotFound,
)
from services.web.deps import CtxDep, DbDep, StaffDep

router = APIRouter(prefix="/api/v1/grievances", tags=["grievances"])


class HistoryOut(BaseModel):
    """One history entry."""

    at: datetime
    actor: str
    action: str
    from_status: str | None
    to_status: str
    note: str | None


class GrievanceOut(BaseModel):
    """A grievance as staff see it (description decrypted for authorised staff only)."""

    id: str
    tenant_id: str
    category: str
    category_name: str
    locality: str
    locality_name: str
    ward: str
    description: str
    channel: str
    status: str
    assignee: str | None
    due_at: datetime
    overdue: bool
    created_at: datetime
    updated_at: datetime
    history: list[HistoryOut] | None = None

    @classmethod
    def of(cls, v: GrievanceView, with_history: bool = False) -> GrievanceOut:
        """Build from the neutral view."""
        return cls(
            id=v.id, tenant_id=v.tenant_id, category=v.category,
            category_name=v.category_names.get("en", v.category), locality=v.locality,
            locality_name=v.locality_names.get("en", v.locality), ward=v.ward,
            description=v.description, channel=v.channel, status=v.status, assignee=v.assignee,
            due_at=v.due_at, created_at=v.created_at, updated_at=v.updated_at,
            overdue=v.status not in ("resolved", "rejected") and v.due_at < utcnow(),
            history=[HistoryOut(**h.__dict__) for h in v.history] if with_history else None)


class AssignIn(BaseModel):
    """Assign a grievance to an officer."""

    assignee: str = Field(min_length=1, max_length=100)
    note: str | None = Field(default=None, max_length=2000)


class NoteIn(BaseModel):
    """A closing note (required when rejecting)."""

    note: str = Field(min_length=1, max_length=2000)


def _error(code: str, status: int) -> HTTPException:
    """An API error carrying a stable code."""
    return HTTPException(status, detail={"code": code})


@router.get("")
def list_grievances(
    ctx: CtxDep, db: DbDep, staff: StaffDep,
    tenant: Annotated[str | None, Query(description="a tenant within your scope")] = None,
    status: Annotated[str | None, Query()] = None,
    category: Annotated[str | None, Query(description="category code")] = None,
    ward: Annotated[str | None, Query(description="ward code")] = None,
    locality: Annotated[str | None, Query(description="locality code")] = None,
    since: Annotated[datetime | None, Query()] = None,
    until: Annotated[datetime | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """Grievances in your scope (or one tenant of it), newest first."""
    scope = tenant or staff.scope
    if not staff.covers(scope):
        raise _error("forbidden_tenant", 403)
    if status is not None and status not in STATUSES:
        raise _error("invalid_status", 422)
    filters = Filters(status, category, ward, locality, since, until, limit, offset)
    views = BuiltinRegistry(db, ctx.crypto).search(scope=scope, filters=filters)
    return {"items": [GrievanceOut.of(v).model_dump(mode="json") for v in views],
            "limit": limit, "offset": offset}


@router.get("/{public_id}")
def get_grievance(public_id: str, ctx: CtxDep, db: DbDep, staff: StaffDep) -> GrievanceOut:
    """One grievance with its full history."""
    try:
        view = BuiltinRegistry(db, ctx.crypto).get(scope=staff.scope, public_id=public_id)
    except NotFound:
        raise _error("not_found", 404) from None
    return GrievanceOut.of(view, with_history=True)


def _act(ctx: CtxDep, db: DbDep, staff: StaffDep, public_id: str, action: str,
         note: str | None, assignee: str | None = None) -> GrievanceOut:
    """Apply an action, queue the citizen's notification, commit, then dispatch."""
    if not staff.can_act():
        raise _error("forbidden_role", 403)
    registry = BuiltinRegistry(db, ctx.crypto)
    try:
        view = registry.transition(scope=staff.scope, public_id=public_id, action=action,
                                   actor=staff.actor, note=note, assignee=assignee)
    except NotFound:
        raise _error("not_found", 404) from None
    except InvalidTransition:
        raise _error("invalid_transition", 409) from None
    outbox_id = notify_status(db, ctx.crypto, registry, view)
    db.commit()
    if outbox_id:
        ctx.dispatcher.enqueue([outbox_id])
    return GrievanceOut.of(view, with_history=True)


@router.post("/{public_id}/assign")
def assign(public_id: str, body: AssignIn, ctx: CtxDep, db: DbDep,
           staff: StaffDep) -> GrievanceOut:
    """Assign to an officer (the citizen is told it is being worked on)."""
    return _act(ctx, db, staff, public_id, "assign", body.note, body.assignee)


@router.post("/{public_id}/resolve")
def resolve(public_id: str, body: NoteIn, ctx: CtxDep, db: DbDep,
            staff: StaffDep) -> GrievanceOut:
    """Mark resolved with a note for the citizen."""
    return _act(ctx, db, staff, public_id, "resolve", body.note)


@router.post("/{public_id}/reject")
def reject(public_id: str, body: NoteIn, ctx: CtxDep, db: DbDep,
           staff: StaffDep) -> GrievanceOut:
    """Reject with a reason for the citizen."""
    return _act(ctx, db, staff, public_id, "reject", body.note)
