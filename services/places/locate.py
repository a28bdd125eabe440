"""Placing a point in a city's wards and localities, with a per-tenant STRtree index.

`locate(db, tenant_id, lat, lon)` answers the ward whose boundary covers the point and, in it,
the locality: the one whose polygon covers the point, else the nearest locality point of that
ward. A point on an edge shared by wards (or locality polygons) is covered by each of them; the
lowest code wins, so the answer is the same on every run. A point in no ward — outside the
city, or in a hole of a ward's polygon that no other ward fills — is None.

Indexes are cached per process and tenant, keyed by the tenant's `places_revision`, which every
import bumps: an index is rebuilt the first time it is used after its places changed.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shapely import STRtree
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.tenancy.models import Locality, Tenant, Ward


@dataclass(frozen=True)
class Place:
    """A ward or locality as the index knows it."""

    id: str
    code: str
    names: Mapping[str, str]
    ward_id: str | None = None


@dataclass(frozen=True)
class Placed:
    """Where a point is: its ward and, when one fits, its locality."""

    ward: Place
    locality: Place | None


class PlaceIndex:
    """One tenant's active mapped places, ready for point queries."""

    def __init__(self, wards: list[tuple[Place, BaseGeometry]],
                 localities: list[tuple[Place, BaseGeometry]]) -> None:
        self.wards = [place for place, _ in wards]
        self.ward_tree = STRtree([geometry for _, geometry in wards])
        areas = [(p, g) for p, g in localities if g.geom_type != "Point"]
        self.areas = [place for place, _ in areas]
        self.area_tree = STRtree([geometry for _, geometry in areas])
        self.points: dict[str, list[tuple[Place, Point]]] = {}
        for place, geometry in localities:
            if isinstance(geometry, Point) and place.ward_id:
                self.points.setdefault(place.ward_id, []).append((place, geometry))

    @property
    def mapped(self) -> bool:
        """Whether any ward has a boundary (else no point can be placed)."""
        return bool(self.wards)

    def locate(self, lat: float, lon: float) -> Placed | None:
        """The ward and locality covering (lat, lon), None outside every ward."""
        if not (math.isfinite(lat) and math.isfinite(lon)):
            return None
        point = Point(lon, lat)
        covering = [self.wards[i] for i in self.ward_tree.query(point, predicate="covered_by")]
        if not covering:
            return None
        ward = min(covering, key=lambda p: p.code)
        areas = [self.areas[i] for i in self.area_tree.query(point, predicate="covered_by")]
        inside = [p for p in areas if p.ward_id == ward.id]
        if inside:
            return Placed(ward, min(inside, key=lambda p: p.code))
        return Placed(ward, self.nearest(ward.id, point))

    def nearest(self, ward_id: str, point: Point) -> Place | None:
        """The ward's locality point nearest to a point (lowest code on a tie)."""
        scale = math.cos(math.radians(point.y))  # a degree of longitude is shorter

        def distance(item: tuple[Place, Point]) -> tuple[float, str]:
            """Approximate distance (equirectangular, fine within a ward), then code."""
            place, at = item
            return (math.hypot((at.x - point.x) * scale, at.y - point.y), place.code)

        candidates = self.points.get(ward_id, [])
        return min(candidates, key=distance)[0] if candidates else None


def build_index(db: Session, tenant_id: str) -> PlaceIndex:
    """Read a tenant's active places with boundaries into an index."""
    wards = [(Place(w.id, w.code, dict(w.names)), _shape(w.boundary))
             for w in db.scalars(select(Ward).where(
                 Ward.tenant_id == tenant_id, Ward.active.is_(True),
                 Ward.boundary.is_not(None)))
             if w.boundary]
    localities = [(Place(loc.id, loc.code, dict(loc.names), loc.ward_id), _shape(loc.boundary))
                  for loc in db.scalars(select(Locality).where(
                      Locality.tenant_id == tenant_id, Locality.active.is_(True),
                      Locality.boundary.is_not(None)))
                  if loc.boundary]
    return PlaceIndex(wards, localities)


def _shape(boundary: Mapping[str, Any]) -> BaseGeometry:
    """A stored GeoJSON geometry as a shapely geometry."""
    return shape(boundary)


class IndexCache:
    """Per-process indexes by database and tenant, rebuilt when the tenant's places_revision
    moves on."""

    def __init__(self) -> None:
        self._items: dict[tuple[str, str], tuple[int, PlaceIndex]] = {}
        self._lock = threading.Lock()

    def get(self, db: Session, tenant_id: str) -> PlaceIndex:
        """The tenant's current index (LookupError for an unknown tenant)."""
        revision = db.scalar(select(Tenant.places_revision).where(Tenant.id == tenant_id))
        if revision is None:
            raise LookupError(tenant_id)
        key = (str(db.get_bind().engine.url), tenant_id)  # revisions count per database
        with self._lock:
            hit = self._items.get(key)
        if hit is not None and hit[0] == revision:
            return hit[1]
        index = build_index(db, tenant_id)
        with self._lock:
            self._items[key] = (revision, index)
        return index

    def clear(self) -> None:
        """Forget every index."""
        with self._lock:
            self._items.clear()


INDEXES = IndexCache()
"""The process's indexes (they hold only what the database can rebuild)."""


def locate(db: Session, tenant_id: str, lat: float, lon: float,
           cache: IndexCache = INDEXES) -> Placed | None:
    """Where a point is in a tenant's places, None outside every ward (or when unmapped)."""
    return cache.get(db, tenant_id).locate(lat, lon)
