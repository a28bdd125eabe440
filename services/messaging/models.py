"""Message log and outbox tables; inbound dedupe is a unique key on the provider's id."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, TenantScoped, new_id, utcnow


class Message(Base, TenantScoped):
    """One message in or out; the body is encrypted, the provider id makes inbound unique."""

    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("account_id", "direction", "external_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    account_id: Mapped[str] = mapped_column(ForeignKey("channel_accounts.id"), index=True)
    contact_id: Mapped[str] = mapped_column(ForeignKey("contacts.id"), index=True)
    direction: Mapped[str] = mapped_column(String(3))
    external_id: Mapped[str | None] = mapped_column(String(100), default=None)
    body_enc: Mapped[str] = mapped_column(Text)
    extras: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    language: Mapped[str | None] = mapped_column(String(8), default=None)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    error_code: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class OutboxItem(Base, TenantScoped):
    """Delivery bookkeeping for one outbound message, written in the same transaction."""

    __tablename__ = "outbox"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    message_id: Mapped[str] = mapped_column(ForeignKey("messages.id"), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    lane: Mapped[str] = mapped_column(String(8), default="reply")
    """services.messaging.lanes.Lane: replies and notices go before bulk sends."""
    priority: Mapped[int] = mapped_column(Integer, default=0)
    """The lane's priority (lower first), what the sweeper orders by."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DailySpend(Base):
    """What a city's paid sends cost on one Indian calendar day, and whether it was alerted."""

    __tablename__ = "daily_spend"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    spent_paise: Mapped[int] = mapped_column(BigInteger, default=0)
    sends: Mapped[int] = mapped_column(Integer, default=0)
    warned_at: Mapped[datetime | None] = mapped_column(default=None)
    """When the city crossed 80% of its cap that day (alerted once)."""
    capped_at: Mapped[datetime | None] = mapped_column(default=None)
    """When a send was first held back by the cap that day (alerted once)."""
