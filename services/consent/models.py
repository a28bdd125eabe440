"""Consent tables: the append-only record of every grant and withdrawal, and the current state.

`consent_records` is the evidence (never updated or deleted: what the citizen said, when and
how we learnt it); `consents` is one row per (contact, purpose, channel) holding the latest
word, written in the same transaction, so bulk queries read one indexed row per contact
instead of the history. A purpose or channel of `*` covers every purpose or channel.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, TenantScoped, new_id, utcnow

ANY = "*"
"""A purpose or channel that covers all of them (STOP withdraws `*` on `*`)."""


class ConsentRecord(Base, TenantScoped):
    """One grant or withdrawal, as it happened (append-only)."""

    __tablename__ = "consent_records"
    __table_args__ = (Index("ix_consent_records_contact_at", "contact_id", "at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    contact_id: Mapped[str] = mapped_column(ForeignKey("contacts.id"))
    purpose: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))
    """The medium the consent is for (`sms`, `whatsapp`, `voice`…) or `*`: never a provider."""
    granted: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[str] = mapped_column(String(64))
    """How we learnt it: `keyword:sms` (STOP/START sent on SMS), `csv:<upload>`, `staff:<id>`,
    `form:<name>`…"""


class Consent(Base, TenantScoped):
    """The latest word of a contact on one purpose and channel."""

    __tablename__ = "consents"
    __table_args__ = (UniqueConstraint("contact_id", "purpose", "channel"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    contact_id: Mapped[str] = mapped_column(ForeignKey("contacts.id"))
    purpose: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))
    granted: Mapped[bool] = mapped_column(Boolean)
    record_id: Mapped[str] = mapped_column(ForeignKey("consent_records.id"))
    """The record this state comes from (its time and source)."""
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
