"""Staff HTTP API for grievances: search, read with everything needed to act, reveal the
citizen's number (recorded), and the workflow actions.

Errors answer `{"detail": {"code": ...}}`: 401 `unauthenticated`, 403 `forbidden_role` or
`forbidden_tenant`, 404 `not_found` (also for grievances outside the key's scope) or
`no_phone` (a reveal for a citizen who wrote from no number), 409 `invalid_transition`, 422
`invalid_status`, `note_required`, `out_of_range` (a `since` or `until` outside years
2000-2199), `invalid_assignee` (no such staff member, retired, or a viewer),
`assignee_out_of_scope` (the member does not cover the grievance's city or ward),
`invalid_note_key` (not a standard note for the grievance's category), `note_and_note_key`
(both given: pick one), `invalid_cursor` (a cursor the gateway did not issue, or altered),
`cursor_with_offset` or `invalid_request` (with `fields`).

The list pages by cursor (keyset): each page ends where the next begins, so a deep page costs
what the first does and rows filed meanwhile neither repeat nor shift a page (docs/staff-api.md).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from services.audit.record import record
from services.contacts.models import Contact
from services.grievances.cursor import MAX_LENGTH, InvalidCursor, decode, encode
from services.grievances.detail import detailed
from services.grievances.dossier import phone_of
from services.grievances.notify import notify_status
from services.grievances.registry import (
    STATUSES,
    AssigneeOutOfScope,
    Filters,
    GrievanceError,
    InvalidAssignee,
    InvalidNoteKey,
    InvalidTransition,
    NoteRequired,
    NotFound,
    Position,
)
from services.grievances.schemas import (
    AssignIn,
    GrievanceDetailOut,
    GrievanceOut,
    GrievancePage,
    NoteIn,
    OptionalNoteIn,
    RevealOut,
)
from services.messaging.lanes import Lane
from services.routing.notices import queued_notices
from services.web.deps import CtxDep, DbDep, StaffDep
from services.web.errors import API_RESPONSES

router = APIRouter(prefix="/api/v1/grievances", tags=["grievances"], responses=API_RESPONSES)
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
"""`since` and `until` must fall in [EARLIEST, LATEST): no grievance is older, and times at
the ends of the calendar overflow when moved to UTC."""
MAX_OFFSET = 10_000
"""`offset` (deprecated) skips rows by reading them; past this many, page with `cursor`."""
EXACT_TOTAL_UP_TO = 10_000
"""Totals are counted exactly up to this many matches; beyond, PostgreSQL's estimate."""

HTTP_STATUS: dict[type[GrievanceError], int] = {
    NotFound: 404, InvalidTransition: 409, NoteRequired: 422, InvalidAssignee: 422,
    AssigneeOutOfScope: 422, InvalidNoteKey: 422,
}


def _error(code: str, status: int) -> HTTPException:
    """An API error carrying a stable code."""
    return HTTPException(status, detail={"code": code})


def _in_range(name: str, value: datetime | None) -> datetime | None:
    """A filter time as UTC (naive means UTC), or 422 `out_of_range` naming the parameter."""
    if value is None:
        return None
    try:
        utc = value.replace(tzinfo=value.tzinfo or UTC).astimezone(UTC)
    except OverflowError:
        utc = None
    if utc is None or not EARLIEST <= utc < LATEST:
        raise HTTPException(422, detail={"code": "out_of_range", "fields": [
            {"loc": ["query", name], "type": "datetime_out_of_range"}]})
    return utc


@router.get("")
def list_grievances(
    ctx: CtxDep, db: DbDep, staff: StaffDep,
    tenant: Annotated[str | None, Query(description="a tenant within your scope")] = None,
    status: Annotated[str | None, Query(description="one of " + ", ".join(STATUSES))] = None,
    category: Annotated[str | None, Query(description="category code")] = None,
    ward: Annotated[str | None, Query(description="ward code")] = None,
    locality: Annotated[str | None, Query(description="locality code")] = None,
    since: Annotated[datetime | None, Query(description="filed at or after")] = None,
    until: Annotated[datetime | None, Query(description="filed before")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(max_length=MAX_LENGTH, description=(
        "`next_cursor` of the previous page: the page after it (same filters)"))] = None,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, deprecated=True, description=(
        f"Deprecated: rows to skip, at most {MAX_OFFSET:,}; page with `cursor`"))] = 0,
) -> GrievancePage:
    """Grievances in your scope (or one tenant of it), newest first, a page at a time.

    Follow `next_cursor` to the end; `total` is exact up to 10,000 matches and past that may be
    an estimate (`total_is_estimate`).
    """
    since, until = _in_range("since", since), _in_range("until", until)
    scope = tenant or staff.scope
    if not staff.covers(scope):
        raise _error("forbidden_tenant", 403)
    if status is not None and status not in STATUSES:
        raise _error("invalid_status", 422)
    if cursor is not None and offset:
        raise _error("cursor_with_offset", 422)
    try:
        after = decode(ctx.crypto, cursor) if cursor is not None else None
    except InvalidCursor as exc:
        raise _error(exc.code, 422) from None
    filters = Filters(status=status, category=category, ward=ward, locality=locality,
                      since=since, until=until, limit=limit + 1, offset=offset, after=after)
    registry = ctx.grievances(db, scope)
    found = registry.search(scope=scope, filters=filters)
    views, more = found[:limit], len(found) > limit
    total = registry.count(scope=scope, filters=filters, exact_up_to=EXACT_TOTAL_UP_TO)
    last = Position(views[-1].created_at, views[-1].id) if more else None
    following = offset + len(views)
    return GrievancePage(
        items=[GrievanceOut.of(v) for v in views], total=total.value,
        total_is_estimate=total.estimated, limit=limit, offset=offset,
        next_cursor=encode(ctx.crypto, last) if last else None,
        next_offset=following if more and after is None and following <= MAX_OFFSET else None)


@router.get("/{public_id}")
def get_grievance(public_id: str, ctx: CtxDep, db: DbDep,
                  staff: StaffDep) -> GrievanceDetailOut:
    """One grievance with its full history (oldest entry first), the citizen's name and
    masked number, the conversation that filed it, a map link and signed media links."""
    registry = ctx.grievances(db, staff.scope)
    try:
        view = registry.get(scope=staff.scope, public_id=public_id)
    except NotFound:
        raise _error("not_found", 404) from None
    return detailed(ctx, db, registry, view)


@router.post("/{public_id}/reveal-contact")
def reveal_contact(public_id: str, ctx: CtxDep, db: DbDep, staff: StaffDep) -> RevealOut:
    """The citizen's full number, to call them back (officers and admins). Each reveal is
    recorded in the change log (`contact` / `reveal`) and in the grievance's history.

    404 `not_found`, or `no_phone` when the citizen wrote from no phone number."""
    if not staff.can_act():
        raise _error("forbidden_role", 403)
    registry = ctx.grievances(db, staff.scope)
    try:
        view = registry.get(scope=staff.scope, public_id=public_id)
    except NotFound:
        raise _error("not_found", 404) from None
    origin = registry.contact_of(public_id=view.id)
    contact = db.get(Contact, str(origin["contact_id"])) if origin else None
    phone = phone_of(ctx.crypto, contact) if contact else None
    if contact is None or phone is None:
        raise _error("no_phone", 404)
    record(db, tenant_id=view.tenant_id, actor=staff.actor, entity="contact", key=contact.id,
           action="reveal", after={"grievance": view.id})
    registry.note_access(scope=staff.scope, public_id=view.id, action="reveal_contact",
                         actor=staff.actor)
    db.commit()
    return RevealOut(phone=phone)


def _act(ctx: CtxDep, db: DbDep, staff: StaffDep, public_id: str, action: str,
         body: OptionalNoteIn | NoteIn | AssignIn | None,
         assignee: str | None = None) -> GrievanceOut:
    """Apply an action and queue the citizen's notification in one transaction, then dispatch
    (only when the status the citizen sees changed)."""
    if not staff.can_act():
        raise _error("forbidden_role", 403)
    note, note_key = (body.note, body.note_key) if body is not None else (None, None)
    if note is not None and note_key is not None:
        raise _error("note_and_note_key", 422)
    registry = ctx.grievances(db, staff.scope)
    try:
        view = registry.transition(scope=staff.scope, public_id=public_id, action=action,
                                   actor=staff.actor, note=note, assignee=assignee,
                                   note_key=note_key)
    except GrievanceError as exc:
        db.rollback()
        raise _error(exc.code, HTTP_STATUS.get(type(exc), 400)) from None
    outbox_id = notify_status(db, ctx.crypto, registry, view)
    db.commit()
    if outbox_id:
        ctx.dispatcher.enqueue([outbox_id])
    staff_notices = queued_notices(db)  # a new holder's SMS, at once
    if staff_notices:
        ctx.dispatcher.enqueue(staff_notices, Lane.NOTICE)
    return GrievanceOut.of(view, with_history=True)


@router.post("/{public_id}/assign")
def assign(public_id: str, body: AssignIn, ctx: CtxDep, db: DbDep,
           staff: StaffDep) -> GrievanceOut:
    """Assign (or reassign) to a staff member by id; the citizen is told it is being handled
    (a reassignment tells them nothing: what they see did not change)."""
    return _act(ctx, db, staff, public_id, "assign", body, body.assignee)


@router.post("/{public_id}/start")
def start(public_id: str, ctx: CtxDep, db: DbDep, staff: StaffDep,
          body: OptionalNoteIn | None = None) -> GrievanceOut:
    """Mark work as in progress (from assigned or reopened)."""
    return _act(ctx, db, staff, public_id, "start", body)


@router.post("/{public_id}/resolve")
def resolve(public_id: str, body: NoteIn, ctx: CtxDep, db: DbDep,
            staff: StaffDep) -> GrievanceOut:
    """Mark resolved with a note for the citizen."""
    return _act(ctx, db, staff, public_id, "resolve", body)


@router.post("/{public_id}/reject")
def reject(public_id: str, body: NoteIn, ctx: CtxDep, db: DbDep,
           staff: StaffDep) -> GrievanceOut:
    """Reject with a reason for the citizen."""
    return _act(ctx, db, staff, public_id, "reject", body)


@router.post("/{public_id}/reopen")
def reopen(public_id: str, body: NoteIn, ctx: CtxDep, db: DbDep,
           staff: StaffDep) -> GrievanceOut:
    """Reopen a resolved or rejected grievance (the problem recurred), with a reason."""
    return _act(ctx, db, staff, public_id, "reopen", body)
