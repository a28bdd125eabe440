"""The grievance service interface; the built-in registry and platform connectors implement it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol


class GrievanceError(Exception):
    """A grievance operation failed; `code` is stable and mapped to catalog messages."""

    code = "grievance_error"


class NotFound(GrievanceError):
    """No grievance with that id in the caller's scope."""

    code = "not_found"


class InvalidTransition(GrievanceError):
    """The workflow does not allow this action in the grievance's current status."""

    code = "invalid_transition"


class InvalidReference(GrievanceError):
    """The category or locality does not belong to the tenant (or is inactive)."""

    code = "invalid_reference"


class InvalidAssignee(GrievanceError):
    """No such staff member, or one retired or only a viewer."""

    code = "invalid_assignee"


class AssigneeOutOfScope(GrievanceError):
    """The staff member does not cover the grievance's tenant or ward."""

    code = "assignee_out_of_scope"


class NoteRequired(GrievanceError):
    """This action must carry a note for the citizen (resolve, reject, reopen)."""

    code = "note_required"


class InvalidNoteKey(GrievanceError):
    """Not a standard note, or not one for the grievance's category (services/grievances/notes)."""

    code = "invalid_note_key"


class ReopenClosed(GrievanceError):
    """The city's window for the citizen to reopen this resolution has passed."""

    code = "reopen_window_closed"


class AlreadyRated(GrievanceError):
    """This resolution was rated already (once per resolution)."""

    code = "already_rated"


# action -> (statuses it may start from, status it leads to)
WORKFLOW: dict[str, tuple[frozenset[str], str]] = {
    "assign": (frozenset({"open", "assigned", "reopened"}), "assigned"),
    "start": (frozenset({"assigned", "reopened"}), "in_progress"),
    "resolve": (frozenset({"open", "assigned", "in_progress", "reopened"}), "resolved"),
    "reject": (frozenset({"open", "assigned", "in_progress", "reopened"}), "rejected"),
    "reopen": (frozenset({"resolved", "rejected"}), "reopened"),
}
STATUSES = ("open", "assigned", "in_progress", "resolved", "rejected", "reopened")
CLOSED = frozenset({"resolved", "rejected"})
NOTE_REQUIRED = frozenset({"resolve", "reject", "reopen"})
CITIZEN = "citizen:"
"""The actor prefix of a citizen's own changes (`citizen:<contact id>`)."""
STARS = range(1, 6)


@dataclass(frozen=True)
class HistoryEntry:
    """One change in a grievance's life."""

    at: datetime
    actor: str
    action: str
    from_status: str | None
    to_status: str
    note: str | None
    note_key: str | None = None
    """A standard note picked instead of `note` (`note.work_scheduled`)."""

    @property
    def by_citizen(self) -> bool:
        """Whether the citizen made this change (reopened it), not the office."""
        return self.actor.startswith(CITIZEN)


@dataclass(frozen=True)
class Rating:
    """A citizen's rating of the latest resolution."""

    stars: int
    comment: str | None
    at: datetime


@dataclass(frozen=True)
class GrievanceView:
    """A grievance as services and APIs see it, whatever platform holds it."""

    id: str
    tenant_id: str
    category: str
    category_names: Mapping[str, str]
    locality: str
    locality_names: Mapping[str, str]
    ward: str
    description: str
    channel: str
    status: str
    assignee: str | None
    due_at: datetime
    created_at: datetime
    updated_at: datetime
    history: tuple[HistoryEntry, ...] = field(default=())
    evidence: Mapping[str, Any] = field(default_factory=dict)
    """Where and what: {"location": {"lat", "lon"} | {"text"}, "photos": [media refs],
    "recordings": [media refs of a recorded description]}."""
    assignee_id: str | None = None
    """The staff member holding it (None: unassigned, or assigned by name before migration 0010)."""
    escalation_level: int = 0
    """How far up its department's ladder it went (0: not escalated)."""
    rating: Rating | None = None
    """The citizen's rating of its latest resolution (only where the history is loaded)."""
    resolved_at: datetime | None = None
    """When it was last resolved (only where the history is loaded)."""

    @property
    def last_note(self) -> str | None:
        """The latest note anyone left."""
        return next((h.note for h in reversed(self.history) if h.note), None)

    @property
    def office_note(self) -> HistoryEntry | None:
        """The office's latest entry with a note, written or picked (not the citizen's)."""
        return next((h for h in reversed(self.history)
                     if (h.note or h.note_key) and not h.by_citizen), None)


@dataclass(frozen=True)
class Position:
    """A place in the newest-first order: a grievance's filing time and public id (the
    tiebreak between grievances filed in the same microsecond)."""

    created_at: datetime
    id: str


@dataclass(frozen=True)
class Total:
    """How many grievances match: exact, or the database's estimate when counting is slow."""

    value: int
    estimated: bool = False


@dataclass(frozen=True)
class Filters:
    """Staff search filters; all optional. `after` (keyset paging) keeps only grievances
    that come after a position in the newest-first order, i.e. older ones."""

    status: str | None = None
    category: str | None = None
    ward: str | None = None
    locality: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 50
    offset: int = 0
    after: Position | None = None


class GrievanceRegistry(Protocol):
    """Where grievances live: the built-in registry, DIGIT/UPYOG, an Open311 server…"""

    def file(self, *, tenant_id: str, category_id: str, locality_id: str, description: str,
             contact_id: str | None, account_id: str | None, channel: str,
             actor: str, evidence: Mapping[str, Any] | None = None) -> GrievanceView:
        """Create a grievance and return it with its public id and due date."""

    def get(self, *, scope: str, public_id: str) -> GrievanceView:
        """One grievance within a tenant scope; NotFound otherwise."""

    def for_contact(self, *, tenant_id: str, contact_id: str,
                    limit: int = 5) -> Sequence[GrievanceView]:
        """A citizen's latest grievances."""

    def search(self, *, scope: str, filters: Filters) -> Sequence[GrievanceView]:
        """Grievances within a scope matching the filters, newest first (filing time, then
        public id, both descending), after `filters.after` when given."""

    def count(self, *, scope: str, filters: Filters,
              exact_up_to: int | None = None) -> Total:
        """How many grievances match, ignoring limit, offset and `after`: exact when at most
        `exact_up_to` do (always when None), else it may be an estimate, flagged as one."""

    def transition(self, *, scope: str, public_id: str, action: str, actor: str,
                   note: str | None = None, assignee: str | None = None,
                   note_key: str | None = None) -> GrievanceView:
        """Apply a workflow action; InvalidTransition when not allowed, NoteRequired if bare
        (a standard `note_key` counts as a note; InvalidNoteKey when it is not one for the
        category); `assignee` is the platform's staff id (InvalidAssignee,
        AssigneeOutOfScope)."""

    def reopen_by_citizen(self, *, scope: str, public_id: str, contact_id: str, reason: str,
                          window: timedelta) -> GrievanceView:
        """The citizen who filed it says "not fixed": reopened, with them as the actor, within
        `window` of its resolution (ReopenClosed after it); NotFound for anyone else."""

    def rate(self, *, scope: str, public_id: str, contact_id: str, stars: int,
             comment: str | None) -> GrievanceView:
        """The citizen who filed it rates its latest resolution (1-5), once (AlreadyRated);
        InvalidTransition unless resolved; NotFound for anyone else."""

    def contact_of(self, *, public_id: str) -> Mapping[str, Any] | None:
        """Where to notify the citizen: contact and channel account ids."""

    def note_access(self, *, scope: str, public_id: str, action: str, actor: str) -> None:
        """Add a history entry that changes nothing (an officer revealed the number)."""
