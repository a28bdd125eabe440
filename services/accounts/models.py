"""The channel account table (no provider columns: a channel type and encrypted config)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, TenantScoped, new_id, utcnow


class ChannelAccount(Base, TenantScoped):
    """One number/bot/widget of a tenant on one channel type."""

    __tablename__ = "channel_accounts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    channel_type: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100), default="")
    address: Mapped[str] = mapped_column(String(64), default="")
    config_enc: Mapped[str] = mapped_column(Text)
    simulated: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
