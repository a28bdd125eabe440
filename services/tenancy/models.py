"""Tenant master data tables; names are stored per language as JSON."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.db.base import Base, TenantScoped, new_id, utcnow


class Tenant(Base):
    """A state (`pb`) or a city under it (`pb.amritsar`)."""

    __tablename__ = "tenants"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("tenants.id"), default=None)
    code: Mapped[str] = mapped_column(String(16))
    names: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    default_language: Mapped[str] = mapped_column(String(8), default="en")
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    public_status: Mapped[str | None] = mapped_column(String(16), default=None)
    """What anyone may learn of a grievance by its number (services.tenancy.privacy);
    None inherits the state's choice, and a state without one shows nothing."""
    daily_spend_cap_paise: Mapped[int | None] = mapped_column(BigInteger, default=None)
    """What the city's paid sends may cost a day (services.messaging.spend); None inherits the
    state's, and a state without one uses the deployment's default."""
    reopen_days: Mapped[int | None] = mapped_column(Integer, default=None)
    """Days after a resolution in which the citizen who filed may say "not fixed" and reopen
    it (services.tenancy.service.reopen_days); None inherits the state's, else 7."""
    phone: Mapped[str | None] = mapped_column(String(32), default=None)
    """The public helpline number (E.164), shown to citizens; None for none."""
    email: Mapped[str | None] = mapped_column(String(254), default=None)
    website: Mapped[str | None] = mapped_column(String(255), default=None)
    address: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """The office address per language, like `names`."""
    hours: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """When the office or helpline answers, per language ("Mon–Sat 9:00–17:00")."""
    places_revision: Mapped[int] = mapped_column(Integer, default=0)
    """Bumped by every change to the tenant's wards or localities, so that cached indexes of
    them (services.places.locate) know to rebuild."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Ward(Base, TenantScoped):
    """An administrative ward of a city."""

    __tablename__ = "wards"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(32))
    names: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    alt_names: Mapped[list[str]] = mapped_column(JSON, default=list)
    """Other spellings citizens use (matched, never shown)."""
    boundary: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    """A GeoJSON Polygon or MultiPolygon (lon, lat), or None when unmapped."""
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    """False once retired: kept for the grievances filed in it, no longer offered."""


class Locality(Base, TenantScoped):
    """A neighbourhood citizens name when they say where a problem is."""

    __tablename__ = "localities"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    ward_id: Mapped[str] = mapped_column(ForeignKey("wards.id"))
    code: Mapped[str] = mapped_column(String(32))
    names: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    alt_names: Mapped[list[str]] = mapped_column(JSON, default=list)
    """Other spellings citizens use (matched, never shown)."""
    boundary: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    """A GeoJSON Point, Polygon or MultiPolygon (lon, lat), or None when unmapped."""
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    """False once retired: kept for the grievances filed in it, no longer offered."""


class Category(Base, TenantScoped):
    """A grievance category with its service-level target in hours.

    A retired category (`active` false) keeps its grievances and history and is no longer
    offered to citizens. `department` is the responsible department's code."""

    __tablename__ = "grievance_categories"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(64))
    names: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    department: Mapped[str] = mapped_column(String(64), default="")
    sla_hours: Mapped[int] = mapped_column(Integer, default=72)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    photo_required: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    location_required: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    """Words citizens use for it (DIGIT's `keywords`)."""
    menu_path: Mapped[str] = mapped_column(String(64), default="", server_default="")
    """The group it is listed under (DIGIT's `menuPath`)."""
