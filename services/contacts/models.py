"""The contact table: an address stored encrypted, found by a keyed hash."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, TenantScoped, new_id, utcnow


class Contact(Base, TenantScoped):
    """A citizen reachable at one URN (`tel:+91…`, `web:…`) within a tenant."""

    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("tenant_id", "urn_hash"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    urn_hash: Mapped[str] = mapped_column(String(96))
    """HMAC of the URN, prefixed by its key id once keys are versioned (`k2$<64 hex>`)."""
    urn_enc: Mapped[str] = mapped_column(Text)
    name_enc: Mapped[str | None] = mapped_column(Text, default=None)
    """The name the citizen shows on their channel (WhatsApp profile, Telegram), encrypted."""
    language: Mapped[str | None] = mapped_column(String(8), default=None)
    opted_out: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(default=None)
