"""The declarative base and the column types every model shares."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

IST = ZoneInfo("Asia/Kolkata")
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def local_year(moment: datetime | None = None) -> int:
    """The year in India (IST) at a moment: ids filed just after midnight IST on 1 January
    belong to the new year even though UTC is still in the old one."""
    return (moment or utcnow()).astimezone(IST).year


def new_id() -> str:
    """A random primary key."""
    return uuid.uuid4().hex


class Base(DeclarativeBase):
    """Base of all NagarSetu tables."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: DateTime(timezone=True)}  # noqa: RUF012


class TenantScoped:
    """Mixin: every row belongs to a tenant (`state.city`)."""

    tenant_id: Mapped[str] = mapped_column(String(64), index=True)


def aware(value: datetime) -> datetime:
    """SQLite returns naive datetimes; treat them as UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)
