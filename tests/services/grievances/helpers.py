"""Building blocks for grievance tests: a second city, master-data lookups, filing."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.grievances.builtin import BuiltinRegistry
from services.grievances.registry import GrievanceView
from services.security.crypto import Crypto
from services.staff.models import StaffMember
from services.tenancy.models import Category, Locality, Tenant, Ward

AMRITSAR = "pb.amritsar"
LUDHIANA = "pb.ludhiana"


@dataclass(frozen=True)
class Refs:
    """Primary keys of a category and a locality of one tenant."""

    category_id: str
    locality_id: str


def add_city(db: Session, tenant_id: str = LUDHIANA, code: str = "PB-LDH") -> None:
    """A second city under the demo state with one ward, two localities and two categories."""
    db.add(Tenant(id=tenant_id, parent_id=tenant_id.split(".")[0], code=code,
                  names={"en": tenant_id}, default_language="en", languages=["en", "hi"]))
    db.flush()
    ward = Ward(tenant_id=tenant_id, code="W01", names={"en": "Ward 1"})
    db.add(ward)
    db.flush()
    for loc in ("model-town", "sarabha-nagar"):
        db.add(Locality(tenant_id=tenant_id, ward_id=ward.id, code=loc, names={"en": loc}))
    db.add(Category(tenant_id=tenant_id, code="garbage", names={"en": "Garbage"}, sla_hours=24))
    db.add(Category(tenant_id=tenant_id, code="water", names={"en": "Water"}, sla_hours=36))
    db.flush()


def refs(db: Session, tenant_id: str, category: str, locality: str) -> Refs:
    """The ids behind a tenant's category and locality codes."""
    cat = db.scalar(select(Category.id).where(Category.tenant_id == tenant_id,
                                              Category.code == category))
    loc = db.scalar(select(Locality.id).where(Locality.tenant_id == tenant_id,
                                              Locality.code == locality))
    assert cat is not None and loc is not None, (tenant_id, category, locality)
    return Refs(cat, loc)


def file(db: Session, crypto: Crypto, tenant_id: str = AMRITSAR, category: str = "garbage",
         locality: str = "hall-bazaar", description: str = "Heap of garbage near the temple gate",
         contact_id: str | None = None, account_id: str | None = None) -> GrievanceView:
    """File a grievance directly through the registry (no conversation)."""
    r = refs(db, tenant_id, category, locality)
    return BuiltinRegistry(db, crypto).file(
        tenant_id=tenant_id, category_id=r.category_id, locality_id=r.locality_id,
        description=description, contact_id=contact_id, account_id=account_id, channel="sms",
        actor="test")


def member(db: Session, name: str = "JE Ward 1", tenant_id: str = AMRITSAR,
           role: str = "officer", **fields: object) -> str:
    """The id of a staff member of that name in the tenant (created on first use)."""
    found = db.scalar(select(StaffMember.id).where(StaffMember.tenant_id == tenant_id,
                                                   StaffMember.name == name))
    if found is not None:
        return found
    row = StaffMember(id=secrets.token_hex(6), tenant_id=tenant_id, name=name, role=role,
                      designation="", wards=[], active=True)
    for key, value in fields.items():
        setattr(row, key, value)
    db.add(row)
    db.flush()
    return row.id


class Clock:
    """A settable stand-in for `utcnow` (patched into the registry module by tests)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        """The current fake time."""
        return self.now

    def advance(self, **delta: float) -> datetime:
        """Move forward and return the new time."""
        self.now += timedelta(**delta)
        return self.now
