"""A remote grievance in neutral form, and the `GrievanceView` our services read of it.

Category and locality codes are the platform's (service codes and boundary codes, which the
category and places importers keep); names, wards and the SLA come from our master data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.grievances.registry import GrievanceView, HistoryEntry, Rating
from services.tenancy.models import Category, Locality, Ward

PLATFORM = "platform"
"""The actor of changes made inside the platform (we do not know its staff)."""


@dataclass(frozen=True)
class Remote:
    """What a platform told us about one grievance."""

    id: str
    tenant_id: str
    category: str
    locality: str
    description: str
    status: str
    """Ours (`open`, `assigned`, `resolved`, …), mapped from the platform's."""
    remote_status: str
    modified: str
    """The platform's last-modified stamp, compared as given."""
    created_at: datetime
    updated_at: datetime
    assignee: str | None = None
    last_action: str = "file"
    last_note: str | None = None
    evidence: Mapping[str, Any] = field(default_factory=dict)
    rating: int | None = None


def from_millis(value: Any) -> datetime:
    """An epoch-milliseconds stamp as an aware datetime (now when absent)."""
    try:
        return datetime.fromtimestamp(int(value) / 1000, UTC)
    except (TypeError, ValueError):
        return datetime.now(UTC)


def view_of(db: Session, remote: Remote, channel: str = "") -> GrievanceView:
    """The neutral view of a remote grievance, named from our master data."""
    category = db.scalar(select(Category).where(Category.tenant_id == remote.tenant_id,
                                                Category.code == remote.category))
    locality = db.scalar(select(Locality).where(Locality.tenant_id == remote.tenant_id,
                                                Locality.code == remote.locality))
    ward = db.get(Ward, locality.ward_id) if locality is not None else None
    sla = category.sla_hours if category is not None else 72
    entry = HistoryEntry(remote.updated_at, PLATFORM, remote.last_action, None, remote.status,
                         remote.last_note)
    resolved = remote.updated_at if remote.status == "resolved" else None
    rating = (Rating(remote.rating, None, remote.updated_at)
              if remote.rating is not None else None)
    return GrievanceView(
        id=remote.id, tenant_id=remote.tenant_id, category=remote.category,
        category_names=dict(category.names) if category is not None else {},
        locality=remote.locality,
        locality_names=dict(locality.names) if locality is not None else {},
        ward=ward.code if ward is not None else "", description=remote.description,
        channel=channel, status=remote.status, assignee=remote.assignee,
        due_at=remote.created_at + timedelta(hours=sla), created_at=remote.created_at,
        updated_at=remote.updated_at, history=(entry,), evidence=dict(remote.evidence),
        rating=rating, resolved_at=resolved)
