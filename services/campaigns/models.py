"""Campaign tables: the campaign, its outbox (one row per recipient) and a city's policy.

The campaign outbox is the bulk lane's unit of truth: a row per recipient, unique on the
recipient's keyed hash within the campaign, claimed and settled like `outbox` rows (a conditional
claim whose time is its token). The text is rendered at send time from the campaign's content
and the row's variables, so a row carries one ciphertext (number, name, variables) and no
message or contact row of its own.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, TenantScoped, new_id, utcnow

ROW_ID = BigInteger().with_variant(Integer, "sqlite")
"""A 64-bit id on PostgreSQL; SQLite's rowid alias (only INTEGER PRIMARY KEY counts itself)."""


class Campaign(Base, TenantScoped):
    """One campaign of a city: what is sent, to whom, on which channels, when, and its state."""

    __tablename__ = "campaigns"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(100))
    purpose: Mapped[str] = mapped_column(String(20))
    """services.campaigns.spec.Purpose: transactional, service_explicit or promotional."""
    template_key: Mapped[str] = mapped_column(String(100))
    """The registry key of its DLT / WhatsApp templates (`campaign.<name>`)."""
    steps: Mapped[list[str]] = mapped_column(JSON, default=list)
    """Channel account ids in order: the preferred channel, then the fallbacks."""
    content: Mapped[dict[str, dict[str, str]]] = mapped_column(JSON, default=dict)
    """Text per account id and language, `{name}` and `{variable}` filled per recipient."""
    default_language: Mapped[str] = mapped_column(String(8), default="en")
    fallback_seconds: Mapped[int | None] = mapped_column(Integer, default=None)
    """Undelivered this long after it was sent: the next step is tried (None: only on failure)."""
    rate_cap: Mapped[int | None] = mapped_column(Integer, default=None)
    """Sends per second this campaign may use at most (None: the accounts' bulk share)."""
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    scheduled_at: Mapped[datetime | None] = mapped_column(default=None)
    created_by: Mapped[str] = mapped_column(String(100))
    approved_by: Mapped[str | None] = mapped_column(String(100), default=None)
    total: Mapped[int] = mapped_column(Integer, default=0)
    excluded: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    """Recipients left out at expansion, by reason (opted_out, no_consent, duplicate)."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    progress_at: Mapped[datetime | None] = mapped_column(default=None)
    """When a sender last wrote results (the tick restarts a campaign that stopped moving)."""


class CampaignSend(Base):
    """One recipient of a campaign: the bulk lane's outbox row."""

    __tablename__ = "campaign_outbox"
    __table_args__ = (
        UniqueConstraint("campaign_id", "address_hash", name="uq_campaign_outbox_recipient"),
        Index("ix_campaign_outbox_claim", "campaign_id", "status", "id"),
        Index("ix_campaign_outbox_external", "account_id", "external_id",
              postgresql_where="external_id IS NOT NULL",
              sqlite_where="external_id IS NOT NULL"),
    )

    id: Mapped[int] = mapped_column(ROW_ID, primary_key=True, autoincrement=True)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"))
    tenant_id: Mapped[str] = mapped_column(String(64))
    """The campaign's tenant (scoped through the campaign; no index of its own)."""
    address_hash: Mapped[str] = mapped_column(String(96))
    """Keyed hash of the E.164 number: one row per recipient per campaign."""
    recipient_enc: Mapped[str] = mapped_column(Text)
    """Encrypted JSON: phone, name, variables."""
    language: Mapped[str] = mapped_column(String(8))
    contact_id: Mapped[str | None] = mapped_column(String(32), default=None)
    step: Mapped[int] = mapped_column(Integer, default=0)
    """Index into the campaign's steps: the channel this row is (or was last) sent on."""
    account_id: Mapped[str | None] = mapped_column(String(32), default=None)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    """pending, sending, sent, delivered, read, failed, cancelled, skipped (opted out)."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    takeovers: Mapped[int] = mapped_column(Integer, default=0)
    """Claims taken over from a worker that died in flight: each may have sent a duplicate."""
    claimed_at: Mapped[datetime | None] = mapped_column(default=None)
    due_at: Mapped[datetime | None] = mapped_column(default=None)
    external_id: Mapped[str | None] = mapped_column(String(100), default=None)
    error: Mapped[str | None] = mapped_column(String(64), default=None)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    fallen_back: Mapped[bool] = mapped_column(Boolean, default=False)
    test: Mapped[bool] = mapped_column(Boolean, default=False)
    """A test send to staff (not counted in the campaign's figures)."""
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)


class CampaignPolicy(Base):
    """A city's (or state's) campaign rules: above this many recipients, a second approver."""

    __tablename__ = "campaign_policies"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    approval_threshold: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
