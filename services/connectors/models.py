"""Connector tables: per-tenant connections, our link to each remote grievance and bill, the
payments waiting to be posted, and the citizens' platform login tokens (all secrets encrypted)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, TenantScoped, new_id, utcnow

DOMAINS = ("grievances", "bills")
"""What a connection serves; a tenant may put each on a different platform."""
KINDS = ("builtin", "digit", "open311")
"""The platforms (`builtin`: our own registry, the default without a row)."""
PENDING, FILED, FAILED = "pending", "filed", "failed"
"""A remote grievance (or payment posting) waiting to be made, made, or given up on."""


class Connection(Base, TenantScoped):
    """Which platform holds one domain of a tenant (or a whole state), where and how to log in."""

    __tablename__ = "connector_settings"
    __table_args__ = (UniqueConstraint("tenant_id", "domain",
                                       name="uq_connector_settings_tenant_domain"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    domain: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    base_url: Mapped[str] = mapped_column(String(300), default="")
    config_enc: Mapped[str] = mapped_column(Text)
    """Credentials and options, encrypted (`username`/`password` of the platform's system
    user, an Open311 `api_key`, service-code maps)."""
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    cursor: Mapped[str | None] = mapped_column(String(64), default=None)
    """Where the status poll stopped (the last remote grievance it looked at)."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class RemoteGrievance(Base, TenantScoped):
    """Our side of a grievance a platform holds: who filed it, its idempotency key, what the
    status poll saw last, and (until it is filed) what to file."""

    __tablename__ = "connector_grievances"
    __table_args__ = (UniqueConstraint("tenant_id", "kind", "remote_id",
                                       name="uq_connector_grievances_tenant_kind_remote"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(16))
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    remote_id: Mapped[str | None] = mapped_column(String(64), default=None)
    contact_id: Mapped[str | None] = mapped_column(String(32), default=None, index=True)
    account_id: Mapped[str | None] = mapped_column(String(32), default=None)
    state: Mapped[str] = mapped_column(String(12), default=PENDING)
    remote_status: Mapped[str | None] = mapped_column(String(40), default=None)
    remote_modified: Mapped[str | None] = mapped_column(String(40), default=None)
    """The platform's last-modified stamp as it gave it (epoch ms, or an ISO time)."""
    payload_enc: Mapped[str | None] = mapped_column(Text, default=None)
    """What to file (description, codes, evidence), encrypted; cleared once filed."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    first_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RemoteBill(Base, TenantScoped):
    """The platform's id and business service of a bill mirrored into `bills` (payments and
    receipts refer to the mirror)."""

    __tablename__ = "connector_bills"

    bill_id: Mapped[str] = mapped_column(ForeignKey("bills.id"), primary_key=True)
    remote_id: Mapped[str] = mapped_column(String(64))
    business_service: Mapped[str] = mapped_column(String(32))


class RemotePayment(Base, TenantScoped):
    """A captured payment to post to the platform's collection service, exactly once."""

    __tablename__ = "connector_payments"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    attempt_id: Mapped[str] = mapped_column(String(32), unique=True)
    bill_id: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(12), default=PENDING)
    remote_receipt: Mapped[str | None] = mapped_column(String(64), default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    posted_at: Mapped[datetime | None] = mapped_column(default=None)


class PlatformToken(Base, TenantScoped):
    """A citizen's login on the platform (from its OTP login), encrypted, until it expires."""

    __tablename__ = "connector_tokens"
    __table_args__ = (UniqueConstraint("tenant_id", "contact_id",
                                       name="uq_connector_tokens_tenant_contact"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    contact_id: Mapped[str] = mapped_column(String(32))
    token_enc: Mapped[str] = mapped_column(Text)
    """{"access_token", "user": the platform's user record}, encrypted."""
    expires_at: Mapped[datetime] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
