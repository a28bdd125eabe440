"""Grievance, its history, and the per-tenant yearly counter behind human-readable ids."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, TenantScoped, new_id, utcnow

PATTERN_OPS = {"tenant_id": "text_pattern_ops"}
"""On PostgreSQL, `tenant_id` in the list indexes compares byte by byte, so a state's prefix
(`LIKE 'pb.%'`) is a range of them whatever the database's collation (equality works too)."""
LIST_ORDER = ("created_at", "public_id")
"""The staff list's newest-first order, ending every index it reads (keyset paging)."""


def _by_place(name: str, column: str) -> Index:
    """A list index led by a ward, category or locality (each of one tenant, so the id alone
    scopes it; foreign key checks use it too); on PostgreSQL it also carries the tenant and
    the status, so those filters are checked, and a page's total counted, in the index."""
    return Index(name, column, *LIST_ORDER, postgresql_include=["tenant_id", "status"])


LIST_INDEXES = (
    Index("ix_grievances_tenant_list", "tenant_id", *LIST_ORDER, postgresql_ops=PATTERN_OPS),
    Index("ix_grievances_tenant_status_list", "tenant_id", "status", *LIST_ORDER,
          postgresql_ops=PATTERN_OPS),
    _by_place("ix_grievances_ward_list", "ward_id"),
    Index("ix_grievances_ward_status_list", "ward_id", "status", *LIST_ORDER,
          postgresql_include=["tenant_id"]),
    _by_place("ix_grievances_category_list", "category_id"),
    _by_place("ix_grievances_locality_list", "locality_id"),
    Index("ix_grievances_list", *LIST_ORDER),
    Index("ix_grievances_status_list", "status", *LIST_ORDER),
)
"""One index per filter the list is read by, each ending in the list order (migration 0012;
a ward's grievances of one status, an officer's open work, 0017).

A city's page is read in order from its tenant's index, its status's, or its ward's,
category's or locality's; a state's (a range of `tenant_id`) from `ix_grievances_list` /
`ix_grievances_status_list`, newest first, keeping its cities' rows. They replace the
single-column indexes of 0001 on tenant, status, filing time, ward, category and locality:
each is a prefix of one of these."""


class Grievance(Base, TenantScoped):
    """A citizen's complaint with its category, place, status and SLA due date."""

    __tablename__ = "grievances"
    __table_args__ = (Index("ix_grievances_citizen", "tenant_id", "contact_id", "created_at"),
                      *LIST_INDEXES)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(String(64))
    """Indexed by the list indexes, which lead with it."""
    public_id: Mapped[str] = mapped_column(String(40), unique=True)
    category_id: Mapped[str] = mapped_column(ForeignKey("grievance_categories.id"))
    locality_id: Mapped[str] = mapped_column(ForeignKey("localities.id"))
    ward_id: Mapped[str] = mapped_column(ForeignKey("wards.id"))
    contact_id: Mapped[str | None] = mapped_column(ForeignKey("contacts.id"), default=None)
    account_id: Mapped[str | None] = mapped_column(ForeignKey("channel_accounts.id"), default=None)
    channel: Mapped[str] = mapped_column(String(16))
    description_enc: Mapped[str] = mapped_column(Text)
    evidence_enc: Mapped[str | None] = mapped_column(Text, default=None)
    """Encrypted JSON: a shared location or typed landmark, and photo references."""
    status: Mapped[str] = mapped_column(String(16), default="open")
    assignee: Mapped[str | None] = mapped_column(String(100), default=None)
    """Who holds it, as shown: the staff member's name (free text before migration 0010)."""
    assignee_id: Mapped[str | None] = mapped_column(ForeignKey("staff_members.id"),
                                                    default=None, index=True)
    department_id: Mapped[str | None] = mapped_column(ForeignKey("departments.id"),
                                                      default=None)
    """The department responsible (routing or the assignee's), whose ladder escalates it."""
    escalation_level: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    escalated_at: Mapped[datetime | None] = mapped_column(default=None)
    due_at: Mapped[datetime] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class GrievanceEvent(Base, TenantScoped):
    """One entry of a grievance's history: who did what, when, with which note."""

    __tablename__ = "grievance_events"
    __table_args__ = (Index("ix_grievance_events_history", "grievance_id", "at", "id"),)
    """A grievance's history in order, and its latest time, straight from the index."""

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    grievance_id: Mapped[str] = mapped_column(ForeignKey("grievances.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(16), default=None)
    to_status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text, default=None)
    """Legacy: notes written before migration 0006, in clear until `nagarsetu keys rotate`."""
    note_enc: Mapped[str | None] = mapped_column(Text, default=None)
    """The note for the citizen, encrypted (staff notes can name people and places)."""
    note_key: Mapped[str | None] = mapped_column(String(64), default=None)
    """A standard note picked instead of writing one (`note.work_scheduled`, see notes.py),
    told to the citizen in their language."""


class GrievanceRating(Base, TenantScoped):
    """A citizen's rating of one resolution (1-5 and an optional comment), at most one each."""

    __tablename__ = "grievance_ratings"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    grievance_id: Mapped[str] = mapped_column(ForeignKey("grievances.id"), index=True)
    resolution_id: Mapped[str] = mapped_column(ForeignKey("grievance_events.id"), unique=True)
    """The `resolve` event rated: a grievance reopened and resolved again is rated again."""
    stars: Mapped[int] = mapped_column(Integer)
    comment_enc: Mapped[str | None] = mapped_column(Text, default=None)
    """The citizen's words, encrypted."""
    actor: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdCounter(Base):
    """The last sequence number handed out per tenant and year."""

    __tablename__ = "id_counters"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)
