"""Routing rules, escalation ladders and the notices sent to staff."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, TenantScoped, new_id, utcnow


class RoutingRule(Base, TenantScoped):
    """Category × ward (either may be `*`) → department, and how its officer is chosen."""

    __tablename__ = "routing_rules"
    __table_args__ = (UniqueConstraint("tenant_id", "category", "ward"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    category: Mapped[str] = mapped_column(String(64))
    """A category code, or `*`."""
    ward: Mapped[str] = mapped_column(String(32))
    """A ward code, or `*`."""
    department_id: Mapped[str] = mapped_column(ForeignKey("departments.id"))
    strategy: Mapped[str] = mapped_column(String(16))
    """`round_robin` or `least_loaded`."""
    last_staff_id: Mapped[str | None] = mapped_column(String(16), default=None)
    """Round robin's cursor: the member this rule chose last."""


class EscalationStep(Base, TenantScoped):
    """One level of a department's ladder: who (by designation) and when (hours past the SLA).

    Level 0 is who routing assigns first; level n is reached `after_hours` after the due date."""

    __tablename__ = "escalation_steps"
    __table_args__ = (UniqueConstraint("department_id", "level"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    department_id: Mapped[str] = mapped_column(ForeignKey("departments.id"))
    level: Mapped[int] = mapped_column(Integer)
    designation: Mapped[str] = mapped_column(String(32))
    after_hours: Mapped[int] = mapped_column(Integer, default=0)


class StaffNotice(Base, TenantScoped):
    """A notice to a staff member about a grievance: sent by SMS (with its outbox row), else by
    e-mail (its `email_outbox` row), else only recorded here (and logged)."""

    __tablename__ = "staff_notices"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff_members.id"), index=True)
    grievance_id: Mapped[str] = mapped_column(ForeignKey("grievances.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    """`assigned` (by routing at filing, or by staff) or `escalated`."""
    level: Mapped[int] = mapped_column(Integer, default=0)
    channel: Mapped[str] = mapped_column(String(8))
    """`sms`, `email`, or `none` when the notice could only be recorded."""
    outbox_id: Mapped[str | None] = mapped_column(String(32), default=None)
    """The outbox row of an SMS, or the `email_outbox` row of an e-mail."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
