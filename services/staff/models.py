"""Staff tables: departments, named staff members, and API keys (only a hash of each secret)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, TenantScoped, new_id, utcnow


class Department(Base, TenantScoped):
    """A department of a city (sanitation, water works…) that grievances are routed to."""

    __tablename__ = "departments"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(64))
    names: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StaffMember(Base, TenantScoped):
    """A named officer, admin or viewer of a city (or a state: `tenant_id` is the scope).

    `wards` narrows a city member to some wards (empty: the whole city); routing and
    assignment only choose members covering the grievance's ward. The phone number and e-mail
    address for notices are personal data, encrypted like a citizen's."""

    __tablename__ = "staff_members"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(81))
    department_id: Mapped[str | None] = mapped_column(ForeignKey("departments.id"),
                                                      default=None, index=True)
    role: Mapped[str] = mapped_column(String(16))
    designation: Mapped[str] = mapped_column(String(32), default="")
    """The level in the department's ladder (JE, AE, EE, Commissioner…)."""
    wards: Mapped[list[str]] = mapped_column(JSON, default=list)
    phone_enc: Mapped[str | None] = mapped_column(Text, default=None)
    email_enc: Mapped[str | None] = mapped_column(Text, default=None)
    language: Mapped[str | None] = mapped_column(String(8), default=None)
    """The language of notices to this member (None: the city's default)."""
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StaffKey(Base):
    """An API key for a ULB officer, admin or viewer, scoped to a tenant (or a whole state).

    A key of a staff member (`staff_id`) acts with the member's current role and scope, and
    stops working when the member is retired; a key without one keeps its own."""

    __tablename__ = "staff_keys"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    tenant_scope: Mapped[str] = mapped_column(String(64), index=True)
    role: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100), default="")
    secret_hash: Mapped[str] = mapped_column(String(64))
    staff_id: Mapped[str | None] = mapped_column(ForeignKey("staff_members.id"), default=None,
                                                 index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
