"""Grievance, its history, and the per-tenant yearly counter behind human-readable ids."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, TenantScoped, new_id, utcnow


class Grievance(Base, TenantScoped):
    """A citizen's complaint with its category, place, status and SLA due date."""

    __tablename__ = "grievances"
    __table_args__ = (Index("ix_grievances_citizen", "tenant_id", "contact_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    public_id: Mapped[str] = mapped_column(String(40), unique=True)
    category_id: Mapped[str] = mapped_column(ForeignKey("grievance_categories.id"), index=True)
    locality_id: Mapped[str] = mapped_column(ForeignKey("localities.id"), index=True)
    ward_id: Mapped[str] = mapped_column(ForeignKey("wards.id"), index=True)
    contact_id: Mapped[str | None] = mapped_column(ForeignKey("contacts.id"), default=None)
    account_id: Mapped[str | None] = mapped_column(ForeignKey("channel_accounts.id"), default=None)
    channel: Mapped[str] = mapped_column(String(16))
    description_enc: Mapped[str] = mapped_column(Text)
    evidence_enc: Mapped[str | None] = mapped_column(Text, default=None)
    """Encrypted JSON: a shared location or typed landmark, and photo references."""
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    assignee: Mapped[str | None] = mapped_column(String(100), default=None)
    """Who holds it, as shown: the staff member's name (free text before migration 0009)."""
    assignee_id: Mapped[str | None] = mapped_column(ForeignKey("staff_members.id"),
                                                    default=None, index=True)
    department_id: Mapped[str | None] = mapped_column(ForeignKey("departments.id"),
                                                      default=None)
    """The department responsible (routing or the assignee's), whose ladder escalates it."""
    escalation_level: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    escalated_at: Mapped[datetime | None] = mapped_column(default=None)
    due_at: Mapped[datetime] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class GrievanceEvent(Base, TenantScoped):
    """One entry of a grievance's history: who did what, when, with which note."""

    __tablename__ = "grievance_events"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    grievance_id: Mapped[str] = mapped_column(ForeignKey("grievances.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(16), default=None)
    to_status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text, default=None)
    """Legacy: notes written before migration 0006, in clear until `nagarsetu keys rotate`."""
    note_enc: Mapped[str | None] = mapped_column(Text, default=None)
    """The note for the citizen, encrypted (staff notes can name people and places)."""


class IdCounter(Base):
    """The last sequence number handed out per tenant and year."""

    __tablename__ = "id_counters"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)
