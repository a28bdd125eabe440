"""Wire models of the staff grievance API (what goes in and out over HTTP)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from services.db.base import utcnow
from services.grievances.registry import CLOSED, GrievanceView, HistoryEntry

NO_CONTROLS = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
"""Text without control characters (PostgreSQL refuses NUL); tabs and line breaks are fine."""
Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000,
                                        pattern=NO_CONTROLS)]
Assignee = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100,
                                            pattern=NO_CONTROLS)]


class HistoryOut(BaseModel):
    """One history entry, oldest first in a grievance."""

    at: datetime
    actor: str
    action: str
    from_status: str | None
    to_status: str
    note: str | None

    @classmethod
    def of(cls, h: HistoryEntry) -> HistoryOut:
        """Build from the neutral entry."""
        return cls(at=h.at, actor=h.actor, action=h.action, from_status=h.from_status,
                   to_status=h.to_status, note=h.note)


class GrievanceOut(BaseModel):
    """A grievance as staff see it; never the citizen's address (phone number, chat id)."""

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
    location: dict[str, Any] | None = None
    """A shared point {"lat", "lon"} or a typed landmark {"text"}."""
    photos: list[str] = []
    """References to the photos on the channel they came from."""

    @classmethod
    def of(cls, v: GrievanceView, with_history: bool = False) -> GrievanceOut:
        """Build from the neutral view."""
        return cls(
            id=v.id, tenant_id=v.tenant_id, category=v.category,
            category_name=v.category_names.get("en", v.category), locality=v.locality,
            locality_name=v.locality_names.get("en", v.locality), ward=v.ward,
            description=v.description, channel=v.channel, status=v.status, assignee=v.assignee,
            due_at=v.due_at, created_at=v.created_at, updated_at=v.updated_at,
            overdue=v.status not in CLOSED and v.due_at < utcnow(),
            history=[HistoryOut.of(h) for h in v.history] if with_history else None,
            location=v.evidence.get("location"), photos=list(v.evidence.get("photos", [])))


class GrievancePage(BaseModel):
    """One page of the newest-first list, the total, and where the next page starts."""

    items: list[GrievanceOut]
    total: int = Field(description="How many grievances match the filters, over all pages; "
                                   "an estimate when `total_is_estimate` is true")
    total_is_estimate: bool = Field(description="`total` is the database's estimate (too many "
                                                "matches to count on every page)")
    limit: int
    offset: int
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on "
                                                "the last page")
    next_offset: int | None = Field(deprecated=True, description=(
        "Deprecated: the `offset` of the next page, null on the last page, after a `cursor` "
        "and past the offset limit; use `next_cursor`"))


class AssignIn(BaseModel):
    """Assign a grievance to an officer."""

    assignee: Assignee
    note: Note | None = None


class OptionalNoteIn(BaseModel):
    """An action whose note is optional (starting work)."""

    note: Note | None = None


class NoteIn(BaseModel):
    """An action whose note is required: resolve, reject, reopen (the citizen reads it)."""

    note: Note
