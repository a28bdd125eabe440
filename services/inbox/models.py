"""Inbound events waiting for (or done with) their conversation turn."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, TenantScoped, new_id, utcnow


class InboxEvent(Base, TenantScoped):
    """One verified inbound event, written once by the webhook (unique on the provider's id)."""

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("account_id", "external_id"),
        Index("ix_inbox_conversation_pending", "conversation", "status", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    account_id: Mapped[str] = mapped_column(ForeignKey("channel_accounts.id"))
    external_id: Mapped[str] = mapped_column(String(200))
    conversation: Mapped[str] = mapped_column(String(160))
    """Tenant and the sender's keyed hash: events of one conversation are handled in order."""
    medium: Mapped[str] = mapped_column(String(16))
    event_enc: Mapped[str] = mapped_column(Text)
    """The parsed event (sender, text, location…), encrypted."""
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error_code: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    done_at: Mapped[datetime | None] = mapped_column(default=None)
