"""Wire models of the staff grievance API (what goes in and out over HTTP)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from services.db.base import utcnow
from services.grievances.registry import CLOSED, GrievanceView, HistoryEntry, Rating

NO_CONTROLS = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
"""Text without control characters (PostgreSQL refuses NUL); tabs and line breaks are fine."""
Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000,
                                        pattern=NO_CONTROLS)]
NoteKey = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64,
                                           pattern=r"^note\.[a-z_]+$")]
"""A standard note (`note.work_scheduled`): told to the citizen in their language."""
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
    note_key: str | None = None
    """A standard note picked instead of `note` (its English text is in `notes` of the
    grievance's detail)."""

    @classmethod
    def of(cls, h: HistoryEntry) -> HistoryOut:
        """Build from the neutral entry."""
        return cls(at=h.at, actor=h.actor, action=h.action, from_status=h.from_status,
                   to_status=h.to_status, note=h.note, note_key=h.note_key)


class RatingOut(BaseModel):
    """The citizen's rating of the latest resolution."""

    stars: int
    comment: str | None
    at: datetime

    @classmethod
    def of(cls, r: Rating | None) -> RatingOut | None:
        """Build from the neutral rating."""
        return None if r is None else cls(stars=r.stars, comment=r.comment, at=r.at)


class StandardNoteOut(BaseModel):
    """A standard note an officer may pick (`note_key`), with its English text."""

    key: str
    text: str


class CitizenOut(BaseModel):
    """Who filed: the name their channel gave, and their number masked (reveal to call)."""

    name: str | None
    phone_masked: str | None
    """`+91 98xxxxxx10`; None when the citizen wrote from no phone (Telegram, web chat)."""


class MediaOut(BaseModel):
    """A photo or recording the citizen sent, with a short-lived link once it is stored."""

    id: str
    kind: str | None
    """`image`, `audio` or `video` (from the file's bytes); None until stored."""
    content_type: str | None
    size: int | None
    status: str
    """`stored`, `pending` (still being copied), `refused` or `missing`."""
    code: str | None
    """Why it is refused or missing: `media_too_large`, `media_type_refused`, …"""
    url: str | None
    """Opens the file without an API key, until `expires_at`."""
    expires_at: datetime | None
    evidence: str | None = None
    """`photo` or `recording` when the grievance's evidence names this file (None: another
    attachment of the conversation)."""


class MessageOut(BaseModel):
    """One message of the conversation that filed the grievance."""

    at: datetime
    direction: str
    """`in` from the citizen, `out` from the gateway."""
    text: str
    media: list[str]
    """Ids of this message's entries in `media`."""


class RevealOut(BaseModel):
    """The citizen's full number, to call them back (the reveal is recorded)."""

    phone: str


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
    """The holder's name."""
    assignee_id: str | None = None
    """The holder's staff member id (None for assignments by name before staff members)."""
    escalation_level: int = 0
    due_at: datetime
    overdue: bool
    created_at: datetime
    updated_at: datetime
    history: list[HistoryOut] | None = None
    location: dict[str, Any] | None = None
    """A shared point {"lat", "lon"} or a typed landmark {"text"}."""
    photos: list[str] = []
    """References to the photos on the channel they came from."""
    recordings: list[str] = []
    """References to the call recordings of a spoken description (IVR) on the channel they
    came from; the officer's view links each copy in `media` (`evidence: "recording"`)."""
    rating: RatingOut | None = None
    """The citizen's rating (1-5, a comment) of the latest resolution; shown with the history
    (a grievance read alone or just acted on), null in the list."""

    @classmethod
    def of(cls, v: GrievanceView, with_history: bool = False) -> GrievanceOut:
        """Build from the neutral view."""
        return cls(
            id=v.id, tenant_id=v.tenant_id, category=v.category,
            category_name=v.category_names.get("en", v.category), locality=v.locality,
            locality_name=v.locality_names.get("en", v.locality), ward=v.ward,
            description=v.description, channel=v.channel, status=v.status, assignee=v.assignee,
            assignee_id=v.assignee_id, escalation_level=v.escalation_level, due_at=v.due_at,
            created_at=v.created_at, updated_at=v.updated_at,
            overdue=v.status not in CLOSED and v.due_at < utcnow(),
            history=[HistoryOut.of(h) for h in v.history] if with_history else None,
            location=v.evidence.get("location"), photos=list(v.evidence.get("photos", [])),
            recordings=list(v.evidence.get("recordings", [])),
            rating=RatingOut.of(v.rating))


class GrievanceDetailOut(GrievanceOut):
    """One grievance as an officer acts on it: also who filed, how, where and with what."""

    map_url: str | None
    """An OpenStreetMap link to a shared point (None for a typed landmark or none)."""
    citizen: CitizenOut | None
    """Who filed; None when the registry knows no contact (filed elsewhere)."""
    transcript: list[MessageOut]
    """The conversation that filed it, oldest first."""
    media: list[MediaOut]
    """Photos and recordings, with signed links once copied."""
    notes: list[StandardNoteOut] = []
    """The standard notes that suit its category, to pass as `note_key`."""


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
    """Assign a grievance to a staff member: `assignee` is the member's id (`nagarsetu staff
    list`), an active officer or admin covering the grievance's city and ward."""

    assignee: Assignee
    note: Note | None = None
    note_key: NoteKey | None = None


class OptionalNoteIn(BaseModel):
    """An action whose note is optional (starting work)."""

    note: Note | None = None
    note_key: NoteKey | None = None


class NoteIn(BaseModel):
    """An action whose note is required: resolve, reject, reopen (the citizen reads it) —
    written (`note`, sent as the office's own words) or standard (`note_key`, translated)."""

    note: Note | None = None
    note_key: NoteKey | None = None
