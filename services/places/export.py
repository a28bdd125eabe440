"""A city's places as a `PlaceSet`, to be written in any format (active places, code order)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.places.spec import LocalitySpec, PlacesError, PlaceSet, WardSpec
from services.tenancy.models import Locality, Tenant, Ward


def stored_places(db: Session, tenant_id: str) -> PlaceSet:
    """The tenant's active wards and localities (`unknown_tenant`)."""
    if db.get(Tenant, tenant_id) is None:
        raise PlacesError("unknown_tenant", tenant_id)
    wards = list(db.scalars(select(Ward).where(Ward.tenant_id == tenant_id,
                                               Ward.active.is_(True)).order_by(Ward.code)))
    codes = {w.id: w.code for w in wards}
    localities = [loc for loc in db.scalars(select(Locality).where(
        Locality.tenant_id == tenant_id, Locality.active.is_(True)).order_by(Locality.code))
        if loc.ward_id in codes]
    return PlaceSet(
        wards=tuple(WardSpec(w.code, dict(w.names), tuple(w.alt_names or ()), w.boundary)
                    for w in wards),
        localities=tuple(LocalitySpec(loc.code, codes[loc.ward_id], dict(loc.names),
                                      tuple(loc.alt_names or ()), loc.boundary)
                         for loc in localities),
        has_wards=True, has_localities=True)


def city_name(db: Session, tenant_id: str) -> str:
    """The tenant's English name (else any, else its id), for formats that carry it."""
    tenant = db.get(Tenant, tenant_id)
    names = dict(tenant.names) if tenant else {}
    return str(names.get("en") or next(iter(names.values()), tenant_id))
