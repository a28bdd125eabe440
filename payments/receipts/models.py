"""Receipts, their gap-free counters, and the tenants' signing keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, TenantScoped, new_id, utcnow


class Receipt(Base, TenantScoped):
    """One receipt for one captured payment (`payment_ref` is unique: issued exactly once)."""

    __tablename__ = "receipts"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        Index("ix_receipts_contact", "tenant_id", "contact_id", "issued_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    number: Mapped[str] = mapped_column(String(48), index=True)
    """`AMR/PT/2026-27/000123`: city, service, Indian fiscal year, sequence."""
    service: Mapped[str] = mapped_column(String(32))
    fiscal_year: Mapped[str] = mapped_column(String(7))
    sequence: Mapped[int] = mapped_column(Integer)
    payment_ref: Mapped[str] = mapped_column(String(64), unique=True)
    bill_ref: Mapped[str] = mapped_column(String(64))
    consumer_no: Mapped[str] = mapped_column(String(64))
    amount_paise: Mapped[int] = mapped_column(BigInteger)
    paid_at: Mapped[datetime]
    method: Mapped[str] = mapped_column(String(32))
    gateway_payment_id: Mapped[str] = mapped_column(String(64))
    payer_name_enc: Mapped[str | None] = mapped_column(Text, default=None)
    """The payer's name as the bill or gateway gave it, encrypted."""
    contact_id: Mapped[str | None] = mapped_column(ForeignKey("contacts.id"), default=None)
    """The citizen who paid, when known ("my payments")."""
    key_id: Mapped[str] = mapped_column(String(32))
    signature: Mapped[str] = mapped_column(String(128))
    """Ed25519 over the canonical serialisation (payments.receipts.canonical), base64url."""
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReceiptCounter(Base):
    """The last sequence number per tenant, service and fiscal year; bumped in the receipt's
    own transaction, so a rolled-back receipt gives its number back (no gaps)."""

    __tablename__ = "receipt_counters"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    service: Mapped[str] = mapped_column(String(32), primary_key=True)
    fiscal_year: Mapped[str] = mapped_column(String(7), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class ReceiptKey(Base, TenantScoped):
    """A tenant's Ed25519 signing key: the public half published, the private half encrypted
    with the key ring. The highest generation signs; older ones still verify."""

    __tablename__ = "receipt_keys"
    __table_args__ = (UniqueConstraint("tenant_id", "generation"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    """The key id: the first 16 hex digits of SHA-256 of the raw public key."""
    generation: Mapped[int] = mapped_column(Integer)
    public_key: Mapped[str] = mapped_column(String(64))
    """The raw 32-byte public key, base64url without padding."""
    private_key_enc: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
