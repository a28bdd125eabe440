"""The staff key table: only a hash of each secret is kept."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, utcnow


class StaffKey(Base):
    """An API key for a ULB officer, admin or viewer, scoped to a tenant (or a whole state)."""

    __tablename__ = "staff_keys"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    tenant_scope: Mapped[str] = mapped_column(String(64), index=True)
    role: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100), default="")
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
