"""Tables of bills and payments: bills, number formats, gateway accounts, attempts, events, flags.

No provider columns on the bills: a gateway account has a `gateway` type and encrypted
config; an attempt keeps the gateway's ids as `external_*`. Money is integer paise.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, TenantScoped, new_id, utcnow

OPEN = "open"
"""The one payable state of an attempt; at most one per bill (a partial unique index)."""


class Bill(Base, TenantScoped):
    """A demand raised on a consumer (property, connection, licence) for one period."""

    __tablename__ = "bills"
    __table_args__ = (UniqueConstraint("tenant_id", "service", "bill_no",
                                       name="uq_bills_tenant_service_bill_no"),
                      Index("ix_bills_lookup", "tenant_id", "service", "consumer_no"))

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    service: Mapped[str] = mapped_column(String(32))
    consumer_no: Mapped[str] = mapped_column(String(64))
    """Canonical form: ASCII digits and capitals, no spaces or dashes."""
    bill_no: Mapped[str] = mapped_column(String(64))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    """[{"head": "property_tax", "amount_paise": 120000}, {"head": "rebate", …: -6000}]"""
    amount_paise: Mapped[int] = mapped_column(Integer)
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="unpaid")
    mobile_hash: Mapped[str | None] = mapped_column(String(80), index=True, nullable=True)
    """The owner's registered mobile (E.164) as a keyed hash, for "my bills"."""
    mobile_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    """The same number encrypted (key rotation re-hashes from it; never shown)."""
    payer_name_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    paid_at: Mapped[datetime | None] = mapped_column(nullable=True)
    payment_ref: Mapped[str | None] = mapped_column(String(64), nullable=True)
    ward: Mapped[str | None] = mapped_column(String(32), nullable=True)
    """The ward code of the property or connection, when the registry knows it (finance MIS)."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NumberFormat(Base, TenantScoped):
    """How a tenant's consumer numbers for one service look (a regular expression)."""

    __tablename__ = "bill_number_formats"
    __table_args__ = (UniqueConstraint("tenant_id", "service",
                                       name="uq_bill_number_formats_tenant_service"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    service: Mapped[str] = mapped_column(String(32))
    pattern: Mapped[str] = mapped_column(String(200))
    example: Mapped[str] = mapped_column(String(64), default="")


class GatewayAccount(Base, TenantScoped):
    """A city's account with a payment gateway (key id, key secret, webhook secret encrypted)."""

    __tablename__ = "payment_accounts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    gateway: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100), default="")
    vpa: Mapped[str] = mapped_column(String(100), default="")
    """The city's own UPI id (`pa` of the intent link), not a secret."""
    payee_name: Mapped[str] = mapped_column(String(100), default="")
    config_enc: Mapped[str] = mapped_column(Text)
    simulated: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PaymentAttempt(Base, TenantScoped):
    """One try at paying one bill: a link, a QR and an intent for the bill's amount."""

    __tablename__ = "payment_attempts"
    __table_args__ = (Index("uq_payment_attempts_open_bill", "bill_id", unique=True,
                            postgresql_where=text("status = 'open'"),
                            sqlite_where=text("status = 'open'")),
                      Index("ix_payment_attempts_status_created", "status", "created_at"))

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    bill_id: Mapped[str] = mapped_column(String(32), ForeignKey("bills.id"), index=True)
    account_id: Mapped[str | None] = mapped_column(String(32), ForeignKey("payment_accounts.id"),
                                                   nullable=True)
    """The gateway account (None for money posted by a BBPS aggregator: method `bbps`)."""
    amount_paise: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=OPEN)
    contact_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    """Who asked to pay (told when it is captured), None for staff or the API."""
    external_link_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    link_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    external_qr_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    qr_content: Mapped[str | None] = mapped_column(Text, nullable=True)
    upi_intent: Mapped[str | None] = mapped_column(Text, nullable=True)
    expire_at: Mapped[datetime] = mapped_column()
    external_payment_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    paid_paise: Mapped[int | None] = mapped_column(Integer, nullable=True)
    refunded_paise: Mapped[int] = mapped_column(Integer, default=0)
    method: Mapped[str | None] = mapped_column(String(32), nullable=True)
    captured_at: Mapped[datetime | None] = mapped_column(nullable=True)
    receipt_number: Mapped[str | None] = mapped_column(String(64), nullable=True)
    notice_sent_at: Mapped[datetime | None] = mapped_column(nullable=True)
    checked_at: Mapped[datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class PaymentEvent(Base):
    """A gateway webhook as received: unique on (account, the gateway's event id)."""

    __tablename__ = "payment_events"
    __table_args__ = (UniqueConstraint("account_id", "event_id",
                                       name="uq_payment_events_account_event"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    account_id: Mapped[str] = mapped_column(String(32), ForeignKey("payment_accounts.id"))
    event_id: Mapped[str] = mapped_column(String(100))
    event: Mapped[str] = mapped_column(String(64))
    body_enc: Mapped[str] = mapped_column(Text)
    """The verified body, encrypted (it names the payer's UPI id and phone)."""
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    outcome: Mapped[str | None] = mapped_column(String(64), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(nullable=True)


class PaymentFlag(Base, TenantScoped):
    """Something finance must look at: short, excess, duplicate or unmatched money, refunds."""

    __tablename__ = "payment_flags"
    __table_args__ = (UniqueConstraint("kind", "external_payment_id",
                                       name="uq_payment_flags_kind_payment"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(32))
    attempt_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    bill_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    external_payment_id: Mapped[str] = mapped_column(String(64))
    expected_paise: Mapped[int | None] = mapped_column(Integer, nullable=True)
    paid_paise: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(nullable=True)
