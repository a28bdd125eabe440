"""Tables of the BBPS biller side: a city's billers, the payments posted, settlement notices.

A biller is one service of one city as registered with the aggregator (BBPS categories are
per service: municipal taxes, water): its credentials are encrypted with the key ring, its
IP allow-list and amount rules are plain. A posted payment is unique on (biller, the
aggregator's `uniquePaymentRefID`); its ledger row is a `payment_attempts` row (method `bbps`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, TenantScoped, new_id, utcnow


class BbpsBiller(Base, TenantScoped):
    """One service of a city registered as a biller with a BBPS aggregator."""

    __tablename__ = "bbps_billers"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    service: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100), default="")
    identifier: Mapped[str] = mapped_column(String(64), default="consumerNumber")
    """The `attributeName` of the customer identifier the aggregator sends."""
    auth: Mapped[str] = mapped_column(String(16), default="jwt")
    """`jwt` (HS256 bearer, `aud` = the scheme id) or `basic`."""
    config_enc: Mapped[str] = mapped_column(Text)
    """{"scheme_id", "secret"} or {"username", "password"}, encrypted."""
    allowed_ips: Mapped[list[str]] = mapped_column(JSON, default=list)
    """Addresses or networks (CIDR) the aggregator calls from; empty refuses every call."""
    exactness: Mapped[str] = mapped_column(String(16), default="EXACT")
    simulated: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BbpsPayment(Base, TenantScoped):
    """A payment the aggregator posted (`/bills/fetchReceipt`), accepted or refused, once."""

    __tablename__ = "bbps_payments"
    __table_args__ = (UniqueConstraint("biller_id", "unique_ref",
                                       name="uq_bbps_payments_biller_ref"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    biller_id: Mapped[str] = mapped_column(String(32), ForeignKey("bbps_billers.id"))
    unique_ref: Mapped[str] = mapped_column(String(64))
    """`uniquePaymentRefID`: the same on every re-sent post of one payment."""
    body_hash: Mapped[str] = mapped_column(String(64))
    """SHA-256 of the payment's fields, so a different post under a used ref is refused."""
    platform_bill_id: Mapped[str] = mapped_column(String(64), default="", index=True)
    platform_txn_ref: Mapped[str] = mapped_column(String(64), default="")
    biller_bill_id: Mapped[str] = mapped_column(String(64))
    bill_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    attempt_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    amount_paise: Mapped[int] = mapped_column(Integer)
    instrument: Mapped[str] = mapped_column(String(32), default="")
    paid_at: Mapped[datetime] = mapped_column()
    status: Mapped[str] = mapped_column(String(16))
    """`accepted` (a receipt) or `refused` (`error_code` says why; answered the same again)."""
    error_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    receipt_number: Mapped[str | None] = mapped_column(String(64), nullable=True)
    receipt_at: Mapped[datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BbpsNotification(Base, TenantScoped):
    """A settlement notice from the aggregator (`/notifications`), kept for reconciliation."""

    __tablename__ = "bbps_notifications"
    __table_args__ = (UniqueConstraint("biller_id", "event_id",
                                       name="uq_bbps_notifications_biller_event"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    biller_id: Mapped[str] = mapped_column(String(32), ForeignKey("bbps_billers.id"))
    event_id: Mapped[str] = mapped_column(String(100))
    event_type: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(64))
    """`SETTLEMENT_SUCCESSFUL`, … as the aggregator said."""
    amount_paise: Mapped[int | None] = mapped_column(Integer, nullable=True)
    platform_bill_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    transaction_id: Mapped[str] = mapped_column(String(64), default="")
    """The bank's reference (UTR) of the settlement credit."""
    event_at: Mapped[datetime | None] = mapped_column(nullable=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
