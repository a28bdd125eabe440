"""The built-in reference registry: grievances in NagarSetu's own database."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session

from services.db.base import aware, local_year, utcnow
from services.grievances.models import Grievance, GrievanceEvent, GrievanceRating, IdCounter
from services.grievances.notes import valid_note
from services.grievances.registry import (
    CITIZEN,
    NOTE_REQUIRED,
    STARS,
    WORKFLOW,
    AlreadyRated,
    AssigneeOutOfScope,
    Filters,
    GrievanceView,
    HistoryEntry,
    InvalidAssignee,
    InvalidNoteKey,
    InvalidReference,
    InvalidTransition,
    NoteRequired,
    NotFound,
    Rating,
    ReopenClosed,
    Total,
)
from services.routing import assign as routing
from services.security.crypto import Crypto
from services.staff.models import StaffMember
from services.tenancy.models import Category, Locality, Tenant, Ward
from services.tenancy.names import NAMES, Model, Named
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
        self._conditions: dict[tuple[str, Filters], list[ColumnElement[bool]]] = {}
        self._loaded: dict[str, Grievance] = {}
        """Rows read by public id in this session (`contact_of` answers from them)."""
        self._held: list[object] = []
        """Master rows loaded with them: the identity map holds no object alive by itself."""
        self._named: dict[tuple[str, str], Named] = {}
        """Codes and names of master rows met in this request, by (table, id): `_view` reads
        them here instead of asking the session for each row."""

    def _history(self, g: Grievance) -> list[tuple[GrievanceEvent, GrievanceRating | None]]:
        """A grievance's events, oldest first, each with the rating of it (resolutions only)
        in the same query."""
        return [(e, r) for e, r in self.db.execute(
            select(GrievanceEvent, GrievanceRating)
            .outerjoin(GrievanceRating, GrievanceRating.resolution_id == GrievanceEvent.id)
            .where(GrievanceEvent.grievance_id == g.id)
            .order_by(GrievanceEvent.at, GrievanceEvent.id))]

    def _view(self, g: Grievance, history: bool = True,
              events: list[tuple[GrievanceEvent, GrievanceRating | None]] | None = None,
              ) -> GrievanceView:
        """Assemble the neutral view of a row (with `events` when they are loaded already)."""
        category = self._name(Category, g.category_id)
        locality = self._name(Locality, g.locality_id)
        ward = self._name(Ward, g.ward_id)
        entries: tuple[HistoryEntry, ...] = ()
        rating: Rating | None = None
        resolution: GrievanceEvent | None = None
        if history:
            rows = events if events is not None else self._history(g)
            entries = tuple(HistoryEntry(aware(r.at), r.actor, r.action, r.from_status,
                                         r.to_status, self._note(r), r.note_key)
                            for r, _ in rows)
            resolution, rated = next(((r, rated) for r, rated in reversed(rows)
                                      if r.action == "resolve"), (None, None))
            rating = self._rating(rated) if rated is not None else None
        return GrievanceView(
            id=g.public_id, tenant_id=g.tenant_id, category=category.code,
            category_names=dict(category.names), locality=locality.code,
            locality_names=dict(locality.names), ward=ward.code,
            description=self.crypto.decrypt(g.description_enc), channel=g.channel,
            status=g.status, assignee=g.assignee, due_at=aware(g.due_at),
            created_at=aware(g.created_at), updated_at=aware(g.updated_at), history=entries,
            evidence=self.crypto.decrypt_json(g.evidence_enc) if g.evidence_enc else {},
            assignee_id=g.assignee_id, escalation_level=g.escalation_level or 0,
            rating=rating, resolved_at=aware(resolution.at) if resolution else None)

    def _name(self, model: Model, row_id: str) -> Named:
        """A master row's code and names: met already in this request, else read."""
        named = self._named.get((model.__tablename__, row_id))
        if named is None:
            row: Category | Locality | Ward = self.db.get_one(model, row_id)  # type: ignore[assignment]
            named = self._remember(row)
        return named

    def _remember(self, row: Category | Locality | Ward) -> Named:
        """Keep a loaded master row's code and names for this request's views."""
        named = Named(row.code, dict(row.names))
        self._named[(row.__tablename__, row.id)] = named
        return named

    def _rating(self, row: GrievanceRating) -> Rating:
        """The citizen's rating of a resolution in clear."""
        comment = self.crypto.decrypt(row.comment_enc) if row.comment_enc else None
        return Rating(row.stars, comment, aware(row.created_at))

    def _note(self, event: GrievanceEvent) -> str | None:
        """An event's note in clear (encrypted since 0006; older ones until re-encrypted)."""
        return self.crypto.decrypt(event.note_enc) if event.note_enc else event.note

    def _row(self, scope: str, public_id: str, lock: bool = False) -> Grievance:
        """The row for a public id within scope, else NotFound (locked for update if asked).

        Its category, locality and ward come in the same query (held, so `_view` and the
        workflow find them in the session); only the grievance's row is locked."""
        q = (select(Grievance, Category, Locality, Ward)
             .join(Category, Category.id == Grievance.category_id)
             .join(Locality, Locality.id == Grievance.locality_id)
             .join(Ward, Ward.id == Grievance.ward_id)
             .where(Grievance.public_id == public_id.strip().upper()))
        found = self.db.execute(q.with_for_update(of=Grievance) if lock else q).first()
        if found is None or not in_scope(found[0].tenant_id, scope):
            raise NotFound(public_id)
        g = found[0]
        self._held.extend(found[1:])  # the workflow reads them too (category code, ward)
        for master in found[1:]:
            self._remember(master)
        self._loaded[g.public_id] = g
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
        routing.on_filing(self.db, self.crypto, g, category.code, ward.code,
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

    def _in_scope(self, column: InstrumentedAttribute[str], scope: str,
                  nested: bool = True) -> ColumnElement[bool]:
        """Rows of a scope's tenants: the tenant itself, and its cities when `nested`."""
        if not nested:
            return column == scope
        return (column == scope) | column.startswith(scope + ".", autoescape=True)

    def _has_nested(self, scope: str) -> bool:
        """Whether any tenant lies under the scope (a state's cities); a grievance's tenant
        exists when it is filed, so a scope without any is a single tenant. A city
        (`state.city`, services.tenancy.admin.CITY_ID) never has tenants under it."""
        if "." in scope:
            return False
        below = Tenant.id.startswith(scope + ".", autoescape=True)
        return self.db.scalar(select(Tenant.id).where(below).limit(1)) is not None

    def _ids(self, model: type[Category] | type[Locality] | type[Ward], code: str,
             scope: str) -> list[str]:
        """The ids behind a code among a scope's tenants (a state's cities share codes),
        remembered a few seconds (services.tenancy.names)."""
        query = select(model.id).where(model.code == code,
                                       self._in_scope(model.tenant_id, scope))
        return NAMES.ids(self.db, model, code, scope, lambda: list(self.db.scalars(query)))

    def _matching(self, scope: str, filters: Filters) -> Select[Grievance]:
        """The query for grievances within a scope that match the filters (unordered; limit,
        offset and `after` ignored), with no join, so that an index on one filter and the
        filing time serves it; the conditions are worked out once per registry (request).

        A scope with no tenant under it is one equality on `tenant_id`, read in order from
        (tenant_id, …, created_at, public_id); a state adds the prefix of its cities
        (`LIKE 'pb.%'`, which PostgreSQL reads as a range of the `text_pattern_ops` indexes).
        Codes of categories, wards and localities are first turned into their ids.
        """
        key = (scope, replace(filters, limit=0, offset=0, after=None))
        if key not in self._conditions:
            self._conditions[key] = self._where(scope, filters)
        return select(Grievance).where(*self._conditions[key])

    def _where(self, scope: str, filters: Filters) -> list[ColumnElement[bool]]:
        """The conditions of `_matching`."""
        where = [self._in_scope(Grievance.tenant_id, scope, self._has_nested(scope))]
        if filters.status:
            where.append(Grievance.status == filters.status)
        for model, column, code in ((Category, Grievance.category_id, filters.category),
                                    (Ward, Grievance.ward_id, filters.ward),
                                    (Locality, Grievance.locality_id, filters.locality)):
            if code:
                where.append(column.in_(self._ids(model, code, scope)))
        if filters.since:
            where.append(Grievance.created_at >= as_utc(filters.since))
        if filters.until:
            where.append(Grievance.created_at < as_utc(filters.until))
        return where

    def search(self, *, scope: str, filters: Filters) -> Sequence[GrievanceView]:
        """Staff search within a scope, newest first; after a position when one is given (the
        row comparison is what a B-tree on (…, created_at, public_id) seeks to)."""
        q = self._matching(scope, filters)
        if filters.after:
            at = literal(as_utc(filters.after.created_at), Grievance.created_at.type)
            q = q.where(tuple_(Grievance.created_at, Grievance.public_id)
                        < tuple_(at, literal(filters.after.id, Grievance.public_id.type)))
        q = (q.order_by(Grievance.created_at.desc(), Grievance.public_id.desc())
             .limit(filters.limit).offset(filters.offset))
        rows = list(self.db.scalars(q))
        self._master_of(rows)
        return [self._view(g, history=False) for g in rows]

    def _master_of(self, rows: Sequence[Grievance]) -> None:
        """The codes and names of a page's categories, localities and wards, from the
        process's short memory of them (services.tenancy.names), the rest in a query per
        kind, so that `_view` reads none of them row by row."""
        for model, ids in ((Category, {g.category_id for g in rows}),
                           (Locality, {g.locality_id for g in rows}),
                           (Ward, {g.ward_id for g in rows})):
            for row_id, named in NAMES.of(self.db, model, ids).items():
                self._named[(model.__tablename__, row_id)] = named

    def count(self, *, scope: str, filters: Filters,
              exact_up_to: int | None = None) -> Total:
        """How many grievances match, ignoring limit, offset and `after`.

        Counted exactly on SQLite, and on PostgreSQL up to `exact_up_to` (the count stops one
        row past it); beyond that PostgreSQL's planner estimate is given, flagged as one, and
        never below what was counted.
        """
        q = self._matching(scope, filters).with_only_columns(Grievance.public_id)
        postgres = self.db.get_bind().dialect.name == "postgresql"
        if exact_up_to is None or not postgres:
            return Total(int(self.db.scalar(select(func.count()).select_from(q.subquery())) or 0))
        counted = int(self.db.scalar(
            select(func.count()).select_from(q.limit(exact_up_to + 1).subquery())) or 0)
        if counted <= exact_up_to:
            return Total(counted)
        return Total(max(self._planned_rows(q), counted), estimated=True)

    def _planned_rows(self, q: Select[str]) -> int:
        """PostgreSQL's estimate of how many rows a query returns (EXPLAIN: planned, not run)."""
        compiled = q.compile(dialect=self.db.get_bind().dialect,
                             compile_kwargs={"render_postcompile": True})
        plan = self.db.connection().exec_driver_sql(
            "EXPLAIN (FORMAT JSON) " + compiled.string, compiled.params).scalar_one()
        return int(plan[0]["Plan"]["Plan Rows"])

    def transition(self, *, scope: str, public_id: str, action: str, actor: str,
                   note: str | None = None, assignee: str | None = None,
                   note_key: str | None = None) -> GrievanceView:
        """Apply a workflow action and record it in the history; `assign` takes a staff member
        id who must be active, an officer or admin, and cover the grievance's tenant and ward;
        `note_key` a standard note for the grievance's category instead of a written one."""
        if action not in WORKFLOW:
            raise InvalidTransition(action)
        note = (note or "").strip() or None
        if action in NOTE_REQUIRED and note is None and note_key is None:
            raise NoteRequired(action)
        g = self._row(scope, public_id, lock=True)
        if note_key is not None and not valid_note(
                note_key, self.db.get_one(Category, g.category_id).code):
            raise InvalidNoteKey(note_key)
        allowed, target = WORKFLOW[action]
        if g.status not in allowed:
            raise InvalidTransition(f"{action} from {g.status}")
        member = self._assignee(g, assignee) if assignee is not None else None
        events = self._history(g)
        events.append((self._record(g, action, actor, target, note, note_key, events), None))
        if member is not None:
            routing.hand_to(self.db, self.crypto, g, member)
        self.db.flush()
        return self._view(g, events=events)

    def _record(self, g: Grievance, action: str, actor: str, target: str,
                note: str | None, note_key: str | None = None,
                events: list[tuple[GrievanceEvent, GrievanceRating | None]] | None = None,
                ) -> GrievanceEvent:
        """Add the history entry of a change and move the grievance to `target` (the new
        entry comes strictly after the last of `events`, when the history is loaded)."""
        if events is None:
            now = next_instant(self.db, g.id, utcnow())
        else:
            now = utcnow()
            last = max((aware(e.at) for e, _ in events), default=None)
            if last is not None and now <= last:
                now = last + timedelta(microseconds=1)
        event = GrievanceEvent(tenant_id=g.tenant_id, grievance_id=g.id, at=now, actor=actor,
                               action=action, from_status=g.status, to_status=target,
                               note_enc=self.crypto.encrypt(note) if note else None,
                               note_key=note_key)
        self.db.add(event)
        g.status = target
        g.updated_at = now
        return event

    def _filed_by(self, scope: str, public_id: str, contact_id: str) -> Grievance:
        """The row, locked, if this contact filed it; NotFound for anyone else."""
        g = self._row(scope, public_id, lock=True)
        if g.contact_id != contact_id:
            raise NotFound(public_id)
        return g

    def _resolution(self, g: Grievance) -> GrievanceEvent | None:
        """The latest `resolve` event while the grievance is resolved."""
        if g.status != "resolved":
            return None
        return self.db.scalar(select(GrievanceEvent)
                              .where(GrievanceEvent.grievance_id == g.id,
                                     GrievanceEvent.action == "resolve")
                              .order_by(GrievanceEvent.at.desc(), GrievanceEvent.id.desc())
                              .limit(1))

    def reopen_by_citizen(self, *, scope: str, public_id: str, contact_id: str, reason: str,
                          window: timedelta) -> GrievanceView:
        """Reopen a resolution its citizen says did not fix it, within the city's window."""
        reason = reason.strip()
        if not reason:
            raise NoteRequired("reopen")
        g = self._filed_by(scope, public_id, contact_id)
        resolution = self._resolution(g)
        if resolution is None:
            raise InvalidTransition(f"reopen from {g.status}")
        if utcnow() > aware(resolution.at) + window:
            raise ReopenClosed(public_id)
        self._record(g, "reopen", CITIZEN + contact_id, WORKFLOW["reopen"][1], reason)
        self.db.flush()
        return self._view(g)

    def rate(self, *, scope: str, public_id: str, contact_id: str, stars: int,
             comment: str | None) -> GrievanceView:
        """Store the citizen's rating of the latest resolution, once."""
        if stars not in STARS:
            raise InvalidTransition(f"rate {stars}")
        g = self._filed_by(scope, public_id, contact_id)
        resolution = self._resolution(g)
        if resolution is None:
            raise InvalidTransition(f"rate from {g.status}")
        exists = select(GrievanceRating.id).where(GrievanceRating.resolution_id == resolution.id)
        if self.db.scalar(exists) is not None:
            raise AlreadyRated(public_id)
        comment = (comment or "").strip()[:1000] or None
        self.db.add(GrievanceRating(tenant_id=g.tenant_id, grievance_id=g.id,
                                    resolution_id=resolution.id, stars=stars,
                                    comment_enc=self.crypto.encrypt(comment) if comment else None,
                                    actor=CITIZEN + contact_id))
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
        """The contact and channel account a grievance came from (no query for one this
        registry read already)."""
        g = self._loaded.get(public_id.upper()) or self.db.scalar(
            select(Grievance).where(Grievance.public_id == public_id.upper()))
        if g is None or g.contact_id is None or g.account_id is None:
            return None
        return {"contact_id": g.contact_id, "account_id": g.account_id}
