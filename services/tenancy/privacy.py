"""What a city lets anyone learn of a grievance by its number: nothing, or category and status."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy.orm import Session

from services.tenancy.models import Tenant


class PublicStatus(StrEnum):
    """How much a grievance shows to someone other than the citizen who filed it."""

    NONE = "none"
    """Answered exactly like a number that does not exist (the fail-closed default)."""
    STATUS = "status"
    """Its category and status, nothing the citizen wrote and no staff note."""


def public_status(db: Session, tenant: Tenant) -> PublicStatus:
    """A tenant's choice; a city without its own takes its state's; unset or unknown is NONE."""
    current: Tenant | None = tenant
    while current is not None:
        if current.public_status:
            try:
                return PublicStatus(current.public_status)
            except ValueError:
                return PublicStatus.NONE
        current = db.get(Tenant, current.parent_id) if current.parent_id else None
    return PublicStatus.NONE
