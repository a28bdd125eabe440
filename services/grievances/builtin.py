"""The built-in reference registry: grievances in NagarSetu's own database."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.db.base import aware, local_year, utcnow
from services.grievances.models import Grievance, GrievanceEvent, IdCounter
from services.grievances.registry import (
    NOTE_REQUIRED,
    WORKFLOW,
    AssigneeOutOfScope,
    Filters,
    GrievanceView,
    HistoryEntry,
    InvalidAssignee,
    InvalidReference,
    InvalidTransition,
    NoteRequired,
    NotFound,
)
from services.routing import assign as routing
from services.security.crypto import Crypto
from services.staff.models import StaffMember
from services.tenancy.models import Category, Locality, Tenant, Ward
from services.tenancy.service import in_scope


def as_utc(value: datetime) -> datetime:
    """A filter bound in UTC (naive means UTC), since SQLite compares stored wall-clock text."""
    return aware(value).astimezone(UTC)


def next_number(db: Session, tenant_id: str, year: int) -> int:
    """The next sequence number for a tenant and year (atomic on PostgreSQL and SQLite)."""
    bump = (update(IdCounter)
            .where(IdCounter.tenant_id == tenant_id, IdCounter.year == year)
            .values(value=IdCounter.value + 1).returning(IdCounter.value))
    value = db.scalar(bump)
    if value is not None:
        return int(value)
    try:
        with db.begin_nested():
            db.add(IdCounter(tenant_id=tenant_id, year=year, value=1))
        return 1
    except IntegrityError:
        return int(db.scalar(bump) or 0)


def next_instant(db: Session, grievance_id: str, now: datetime) -> datetime:
    """`now`, but strictly after the grievance's last event, so history order is certain."""
    last = db.scalar(select(func.max(GrievanceEvent.at))
                     .where(GrievanceEvent.grievance_id == grievance_id))
    if last is not None and now <= aware(last):
        return aware(last) + timedelta(microseconds=1)
    return now


class BuiltinRegistry:
    """GrievanceRegistry over the gateway's own tables, descriptions encrypted."""

    def __init__(self, db: Session, crypto: Crypto) -> None:
        self.db = db
        self.crypto = crypto

    def _view(self, g: Grievance, history: bool = True) -> GrievanceView:
        """Assemble the neutral view of a row."""
        category = self.db.get_one(Category, g.category_id)
        locality = self.db.get_one(Locality, g.locality_id)
        ward = self.db.get_one(Ward, g.ward_id)
        entries: tuple[HistoryEntry, ...] = ()
        if history:
            rows = self.db.scalars(select(GrievanceEvent).where(GrievanceEvent.grievance_id == g.id)
                                   .order_by(GrievanceEvent.at, GrievanceEvent.id))
            entries = tuple(HistoryEntry(aware(r.at), r.actor, r.action, r.from_status,
                                         r.to_status, self._note(r)) for r in rows)
        return GrievanceView(
            id=g.public_id, tenant_id=g.tenant_id, category=category.code,
            category_names=dict(category.names), locality=locality.code,
            locality_names=dict(locality.names), ward=ward.code,
            description=self.crypto.decrypt(g.description_enc), channel=g.channel,
            status=g.status, assignee=g.assignee, due_at=aware(g.due_at),
            created_at=aware(g.created_at), updated_at=aware(g.updated_at), history=entries,
            evidence=self.crypto.decrypt_json(g.evidence_enc) if g.evidence_enc else {},
            assignee_id=g.assignee_id, escalation_level=g.escalation_level or 0)

    def _note(self, event: GrievanceEvent) -> str | None:
        """An event's note in clear (encrypted since 0006; older ones until re-encrypted)."""
        return self.crypto.decrypt(event.note_enc) if event.note_enc else event.note

    def _row(self, scope: str, public_id: str, lock: bool = False) -> Grievance:
        """The row for a public id within scope, else NotFound (locked for update if asked)."""
        q = select(Grievance).where(Grievance.public_id == public_id.strip().upper())
        g = self.db.scalar(q.with_for_update() if lock else q)
        if g is None or not in_scope(g.tenant_id, scope):
            raise NotFound(public_id)
        return g

    def file(self, *, tenant_id: str, category_id: str, locality_id: str, description: str,
             contact_id: str | None, account_id: str | None, channel: str,
             actor: str, evidence: Mapping[str, Any] | None = None) -> GrievanceView:
        """Create a grievance with a human-readable id and an SLA due date."""
        tenant = self.db.get(Tenant, tenant_id)
        category = self.db.get(Category, category_id)
        locality = self.db.get(Locality, locality_id)
        if (tenant is None or category is None or locality is None or not category.active
                or category.tenant_id != tenant_id or locality.tenant_id != tenant_id):
            raise InvalidReference(f"{category_id}/{locality_id}")
        now = utcnow()
        year = local_year(now)
        number = next_number(self.db, tenant_id, year)
        g = Grievance(tenant_id=tenant_id, public_id=f"{tenant.code}-{year}-{number:06d}",
                      category_id=category.id, locality_id=locality.id, ward_id=locality.ward_id,
                      contact_id=contact_id, account_id=account_id, channel=channel,
                      description_enc=self.crypto.encrypt(description), status="open",
                      evidence_enc=self.crypto.encrypt_json(dict(evidence)) if evidence else None,
                      due_at=now + timedelta(hours=category.sla_hours), created_at=now,
                      updated_at=now)
        self.db.add(g)
        self.db.flush()
        self.db.add(GrievanceEvent(tenant_id=tenant_id, grievance_id=g.id, at=now, actor=actor,
                                   action="file", from_status=None, to_status="open"))
        self.db.flush()
        ward = self.db.get_one(Ward, locality.ward_id)
        routing.on_filing(self.db, g, category.code, ward.code,
                          now + timedelta(microseconds=1))
        return self._view(g)

    def get(self, *, scope: str, public_id: str) -> GrievanceView:
        """One grievance with its history."""
        return self._view(self._row(scope, public_id))

    def for_contact(self, *, tenant_id: str, contact_id: str,
                    limit: int = 5) -> Sequence[GrievanceView]:
        """The citizen's newest grievances."""
        rows = self.db.scalars(select(Grievance).where(Grievance.tenant_id == tenant_id,
                                                       Grievance.contact_id == contact_id)
                               .order_by(Grievance.created_at.desc(), Grievance.public_id.desc())
                               .limit(limit))
        return [self._view(g, history=False) for g in rows]

    def _matching(self, scope: str, filters: Filters) -> Select[Grievance]:
        """The query for grievances within a scope that match the filters (unordered)."""
        q = select(Grievance).where((Grievance.tenant_id == scope)
                                    | Grievance.tenant_id.startswith(scope + ".", autoescape=True))
        if filters.status:
            q = q.where(Grievance.status == filters.status)
        if filters.category:
            q = q.join(Category, Category.id == Grievance.category_id).where(
                Category.code == filters.category)
        if filters.ward:
            q = q.join(Ward, Ward.id == Grievance.ward_id).where(Ward.code == filters.ward)
        if filters.locality:
            q = q.join(Locality, Locality.id == Grievance.locality_id).where(
                Locality.code == filters.locality)
        if filters.since:
            q = q.where(Grievance.created_at >= as_utc(filters.since))
        if filters.until:
            q = q.where(Grievance.created_at < as_utc(filters.until))
        return q

    def search(self, *, scope: str, filters: Filters) -> Sequence[GrievanceView]:
        """Staff search within a scope, newest first."""
        q = (self._matching(scope, filters)
             .order_by(Grievance.created_at.desc(), Grievance.public_id.desc())
             .limit(filters.limit).offset(filters.offset))
        return [self._view(g, history=False) for g in self.db.scalars(q)]

    def count(self, *, scope: str, filters: Filters) -> int:
        """How many grievances match, ignoring limit and offset."""
        matching = self._matching(scope, filters).subquery()
        return int(self.db.scalar(select(func.count()).select_from(matching)) or 0)

    def transition(self, *, scope: str, public_id: str, action: str, actor: str,
                   note: str | None = None, assignee: str | None = None) -> GrievanceView:
        """Apply a workflow action and record it in the history; `assign` takes a staff member
        id who must be active, an officer or admin, and cover the grievance's tenant and ward."""
        if action not in WORKFLOW:
            raise InvalidTransition(action)
        note = (note or "").strip() or None
        if action in NOTE_REQUIRED and note is None:
            raise NoteRequired(action)
        g = self._row(scope, public_id, lock=True)
        allowed, target = WORKFLOW[action]
        if g.status not in allowed:
            raise InvalidTransition(f"{action} from {g.status}")
        member = self._assignee(g, assignee) if assignee is not None else None
        now = next_instant(self.db, g.id, utcnow())
        self.db.add(GrievanceEvent(tenant_id=g.tenant_id, grievance_id=g.id, at=now, actor=actor,
                                   action=action, from_status=g.status, to_status=target,
                                   note_enc=self.crypto.encrypt(note) if note else None))
        g.status = target
        g.updated_at = now
        if member is not None:
            routing.hand_to(g, member)
        self.db.flush()
        return self._view(g)

    def note_access(self, *, scope: str, public_id: str, action: str, actor: str) -> None:
        """Record in the history that someone saw what is not shown by default; the status,
        the update time and the citizen's notifications stay as they were."""
        g = self._row(scope, public_id, lock=True)
        self.db.add(GrievanceEvent(tenant_id=g.tenant_id, grievance_id=g.id,
                                   at=self._next_instant(g), actor=actor, action=action,
                                   from_status=g.status, to_status=g.status))
        self.db.flush()

    def _next_instant(self, g: Grievance) -> datetime:
        """Now, but strictly after the grievance's last event, so history order is certain."""
        last = self.db.scalar(select(func.max(GrievanceEvent.at))
                              .where(GrievanceEvent.grievance_id == g.id))
        now = utcnow()
        if last is not None and now <= aware(last):
            return aware(last) + timedelta(microseconds=1)
        return now
    def _assignee(self, g: Grievance, staff_id: str) -> StaffMember:
        """The member to assign to, or InvalidAssignee / AssigneeOutOfScope."""
        member = self.db.get(StaffMember, staff_id)
        ward = self.db.get_one(Ward, g.ward_id)
        why = routing.assignable(member, g.tenant_id, ward.code)
        if why == "assignee_out_of_scope":
            raise AssigneeOutOfScope(staff_id)
        if why is not None or member is None:
            raise InvalidAssignee(staff_id)
        return member

    def contact_of(self, *, public_id: str) -> Mapping[str, Any] | None:
        """The contact and channel account a grievance came from."""
        g = self.db.scalar(select(Grievance).where(Grievance.public_id == public_id.upper()))
        if g is None or g.contact_id is None or g.account_id is None:
            return None
        return {"contact_id": g.contact_id, "account_id": g.account_id}
