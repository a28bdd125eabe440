"""The configuration change log: one row per change, never updated or deleted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, new_id, utcnow


class ConfigChange(Base):
    """One change to a tenant's configuration (a tenant, place, category, staff member, rule…)."""

    __tablename__ = "config_changes"
    __table_args__ = (Index("ix_config_changes_tenant_at", "tenant_id", "at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    """`staff:<key id>` over the API, `cli:<os user>` from the command line."""
    entity: Mapped[str] = mapped_column(String(32))
    """What kind of thing changed: `tenant`, `ward`, `locality`, `category`, `staff`, …"""
    key: Mapped[str] = mapped_column(String(100))
    """Which one: its code or id within the tenant."""
    action: Mapped[str] = mapped_column(String(16))
    """`create`, `update`, `retire`, `delete`, or an entity's own verb (`reveal`)."""
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
