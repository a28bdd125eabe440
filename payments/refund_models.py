"""The refunds table: one row per refund a finance officer asked for, moved forward only.

`requested` (0: committed before the gateway is called) ─► `pending` (1: the gateway took it)
─► `processed` | `failed` (2: its webhook, or a fetch). The idempotency key is sent as
`X-Refund-Idempotency` on every try of one row, so a retry never refunds twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, TenantScoped, new_id, utcnow


class PaymentRefund(Base, TenantScoped):
    """Money given back for one gateway payment (an excess or a duplicate), with a note."""

    __tablename__ = "payment_refunds"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    account_id: Mapped[str] = mapped_column(String(32), ForeignKey("payment_accounts.id"))
    attempt_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    flag_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    external_payment_id: Mapped[str] = mapped_column(String(64), index=True)
    reason: Mapped[str] = mapped_column(String(32))
    """`excess_payment` or `duplicate_payment` (the flag it answers)."""
    amount_paise: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="requested", index=True)
    external_refund_id: Mapped[str | None] = mapped_column(String(64), nullable=True,
                                                           index=True)
    actor: Mapped[str] = mapped_column(String(200))
    tries: Mapped[int] = mapped_column(Integer, default=0)
    notice_sent_at: Mapped[datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
