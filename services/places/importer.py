"""Importing places into a city: match by code, update in place, report, retire what is gone.

A re-import adds new codes, renames, moves a locality to another ward, reshapes boundaries,
restores retired places that are listed again and — for a full import — retires the places of
the kinds the file lists (wards, localities) that it no longer lists. Nothing is deleted:
grievances keep their ward and locality; retired places are only no longer offered. A locality
whose ward is retired is retired with it. A dry run computes the same report and writes nothing.
Every change is recorded in the configuration change log, in the caller's transaction.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from shapely import STRtree
from shapely.errors import GEOSException, ShapelyError
from shapely.geometry import shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.audit.record import record
from services.places.spec import LocalitySpec, PlacesError, PlaceSet, WardSpec
from services.tenancy.models import Locality, Tenant, Ward

Place = Ward | Locality
Spec = WardSpec | LocalitySpec
OVERLAP_TOLERANCE = 0.001
"""Overlaps up to this share of the smaller ward's area are drawing noise, not reported."""


@dataclass
class Report:
    """What an import changed (or would change, on a dry run)."""

    tenant: str
    dry_run: bool
    full: bool
    added: list[dict[str, Any]] = field(default_factory=list)
    renamed: list[dict[str, Any]] = field(default_factory=list)
    moved: list[dict[str, Any]] = field(default_factory=list)
    updated: list[dict[str, Any]] = field(default_factory=list)
    """Alternate names or boundary changed."""
    restored: list[dict[str, Any]] = field(default_factory=list)
    retired: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0
    overlaps: list[dict[str, Any]] = field(default_factory=list)
    """Pairs of wards, active after the import, whose boundaries overlap (a warning: a point
    there is placed in the lower code, which may be the wrong ward)."""

    @property
    def changed(self) -> bool:
        """Whether anything differs from what was stored."""
        return any((self.added, self.renamed, self.moved, self.updated, self.restored,
                    self.retired))

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON data."""
        return {"tenant": self.tenant, "dry_run": self.dry_run, "full": self.full,
                "added": self.added, "renamed": self.renamed, "moved": self.moved,
                "updated": self.updated, "restored": self.restored, "retired": self.retired,
                "unchanged": self.unchanged, "overlaps": self.overlaps}


def digest(boundary: Mapping[str, Any] | None) -> str | None:
    """A short fingerprint of a boundary, for the change log (boundaries are large)."""
    if not boundary:
        return None
    text = json.dumps(boundary, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def state_of(place: Place, ward_codes: Mapping[str, str]) -> dict[str, Any]:
    """What the change log keeps of a place."""
    found: dict[str, Any] = {"names": dict(place.names), "alt_names": list(place.alt_names or []),
                             "boundary": digest(place.boundary), "active": place.active}
    if isinstance(place, Locality):
        found["ward"] = ward_codes.get(place.ward_id)
    return found


class _Import:
    """One import's working state: stored places by code, the report, the pending writes."""

    def __init__(self, db: Session, tenant: Tenant, places: PlaceSet, actor: str, full: bool,
                 dry_run: bool) -> None:
        self.db, self.tenant, self.places, self.actor = db, tenant, places, actor
        self.full, self.dry_run = full, dry_run
        self.report = Report(tenant.id, dry_run, full)
        self.wards = {w.code: w for w in db.scalars(select(Ward).where(
            Ward.tenant_id == tenant.id))}
        self.localities = {loc.code: loc for loc in db.scalars(select(Locality).where(
            Locality.tenant_id == tenant.id))}
        self.ward_codes = {w.id: w.code for w in self.wards.values()}
        self.ward_ids: dict[str, str] = {}

    def run(self) -> Report:
        """Compute the report and, unless a dry run, apply it."""
        listed_wards = {w.code for w in self.places.wards}
        active_wards = {code for code, w in self.wards.items() if w.active} | listed_wards
        if self.full and self.places.has_wards:
            active_wards = set(listed_wards)
        for loc in self.places.localities:
            if loc.ward not in active_wards:
                raise PlacesError("unknown_ward", loc.code, loc.ward)
        for spec in self.places.wards:
            self.ward(spec)
        if self.full and self.places.has_wards:
            for code, ward in sorted(self.wards.items()):
                if ward.active and code not in listed_wards:
                    self.retire(ward, "ward")
        if not self.dry_run:
            self.db.flush()
            self.ward_ids = {code: w.id for code, w in self.wards.items()}
        listed = {loc.code for loc in self.places.localities}
        for loc_spec in self.places.localities:
            self.locality(loc_spec)
        for code, stored in sorted(self.localities.items()):
            if not stored.active or code in listed:
                continue
            gone = self.full and self.places.has_localities
            if gone or self.ward_codes.get(stored.ward_id, "") not in active_wards:
                self.retire(stored, "locality")
        self.report.overlaps = overlapping(self.boundaries(active_wards))
        if self.report.changed and not self.dry_run:
            self.tenant.places_revision = (self.tenant.places_revision or 0) + 1
            self.db.flush()
        return self.report

    def boundaries(self, active: set[str]) -> dict[str, Mapping[str, Any]]:
        """The boundary of each ward active after the import: the file's (or the kept one,
        for a format without boundaries), else the stored one."""
        found: dict[str, Mapping[str, Any]] = {
            code: w.boundary for code, w in self.wards.items()
            if code in active and w.active and w.boundary}
        for spec in self.places.wards:
            row = self.wards.get(spec.code)
            boundary = self.kept(row, "ward", spec).boundary if row is not None else spec.boundary
            found.pop(spec.code, None)
            if boundary:
                found[spec.code] = boundary
        return found

    def ward(self, spec: WardSpec) -> None:
        """Add or update one ward."""
        row = self.wards.get(spec.code)
        if row is None:
            self.report.added.append({"kind": "ward", "code": spec.code})
            if not self.dry_run:
                row = Ward(tenant_id=self.tenant.id, code=spec.code, names=dict(spec.names),
                           alt_names=list(spec.alt_names), boundary=_geo(spec.boundary),
                           active=True)
                self.db.add(row)
                self.db.flush()
                self.wards[spec.code] = row
                self.ward_codes[row.id] = spec.code
                self.log("ward", spec.code, "create", None, row)
            return
        self.update(row, "ward", spec)

    def locality(self, spec: LocalitySpec) -> None:
        """Add, update or move one locality."""
        row = self.localities.get(spec.code)
        if row is None:
            self.report.added.append({"kind": "locality", "code": spec.code,
                                      "ward": spec.ward})
            if not self.dry_run:
                row = Locality(tenant_id=self.tenant.id, ward_id=self.ward_ids[spec.ward],
                               code=spec.code, names=dict(spec.names),
                               alt_names=list(spec.alt_names), boundary=_geo(spec.boundary),
                               active=True)
                self.db.add(row)
                self.log("locality", spec.code, "create", None, row)
            return
        self.update(row, "locality", spec)

    def kept(self, row: Place, kind: str, spec: Spec) -> Spec:
        """The file's place with what its format cannot carry taken from the stored row."""
        keeps = self.places.keeps
        names = {**row.names, **spec.names} if "names" in keeps else spec.names
        alt = tuple(row.alt_names or ()) if "alt_names" in keeps else spec.alt_names
        boundary = spec.boundary
        if f"{kind}_boundary" in keeps and (kind == "ward" or boundary is None):
            boundary = row.boundary
        return replace(spec, names=names, alt_names=alt, boundary=boundary)

    def update(self, row: Place, kind: str, spec: Spec) -> None:
        """Bring a stored place in line with the file, reporting each kind of difference."""
        spec = self.kept(row, kind, spec)
        before = state_of(row, self.ward_codes)
        entry = {"kind": kind, "code": spec.code}
        if dict(row.names) != dict(spec.names):
            self.report.renamed.append({**entry, "from": dict(row.names),
                                        "to": dict(spec.names)})
        if isinstance(row, Locality) and isinstance(spec, LocalitySpec):
            old = self.ward_codes.get(row.ward_id)
            if old != spec.ward:
                self.report.moved.append({**entry, "from": old, "to": spec.ward})
        fields = [name for name, same in (
            ("alt_names", list(row.alt_names or []) == list(spec.alt_names)),
            ("boundary", digest(row.boundary) == digest(spec.boundary))) if not same]
        if fields:
            self.report.updated.append({**entry, "fields": fields})
        if not row.active:
            self.report.restored.append(entry)
        if before == {**before, **self.wanted(row, spec)}:
            self.report.unchanged += 1
            return
        if self.dry_run:
            return
        row.names, row.alt_names = dict(spec.names), list(spec.alt_names)
        row.boundary, row.active = _geo(spec.boundary), True
        if isinstance(row, Locality) and isinstance(spec, LocalitySpec):
            row.ward_id = self.ward_ids[spec.ward]
        self.log(kind, spec.code, "update", before, row)

    def wanted(self, row: Place, spec: Spec) -> dict[str, Any]:
        """The logged state the file asks for."""
        found: dict[str, Any] = {"names": dict(spec.names), "alt_names": list(spec.alt_names),
                                 "boundary": digest(spec.boundary), "active": True}
        if isinstance(spec, LocalitySpec):
            found["ward"] = spec.ward
        return found

    def retire(self, row: Place, kind: str) -> None:
        """Retire a place the file no longer lists (or whose ward was retired)."""
        self.report.retired.append({"kind": kind, "code": row.code})
        if self.dry_run:
            return
        before = state_of(row, self.ward_codes)
        row.active = False
        self.log(kind, row.code, "retire", before, row)

    def log(self, kind: str, code: str, action: str, before: dict[str, Any] | None,
            row: Place) -> None:
        """Record one change in the configuration change log."""
        record(self.db, tenant_id=self.tenant.id, actor=self.actor, entity=kind, key=code,
               action=action, before=before, after=state_of(row, self.ward_codes))


def overlapping(boundaries: Mapping[str, Mapping[str, Any]],
                tolerance: float = OVERLAP_TOLERANCE) -> list[dict[str, Any]]:
    """Pairs of wards (codes in order) whose shared area exceeds `tolerance` of the smaller
    one's, with that share; wards that only touch along an edge share no area."""
    shapes = []
    for code, boundary in sorted(boundaries.items()):
        try:
            geometry = shape(boundary)
        except (ShapelyError, GEOSException, ValueError, TypeError, KeyError):
            continue
        if geometry.geom_type in ("Polygon", "MultiPolygon") and geometry.area > 0:
            shapes.append((code, geometry if geometry.is_valid else geometry.buffer(0)))
    tree = STRtree([geometry for _, geometry in shapes])
    found = []
    for i, (code_a, a) in enumerate(shapes):
        for j in sorted(int(k) for k in tree.query(a, predicate="intersects") if k > i):
            code_b, b = shapes[j]
            share = a.intersection(b).area / min(a.area, b.area)
            if share > tolerance:
                found.append({"kind": "ward", "codes": [code_a, code_b],
                              "share": round(share, 4)})
    return found


def _geo(boundary: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A boundary as stored (a plain dict)."""
    return dict(boundary) if boundary else None


def import_places(db: Session, tenant_id: str, places: PlaceSet, *, actor: str,
                  full: bool = True, dry_run: bool = False) -> Report:
    """Import into a city (`unknown_tenant`, `not_a_city`); the caller commits."""
    tenant = db.get(Tenant, tenant_id)
    if tenant is None:
        raise PlacesError("unknown_tenant", tenant_id)
    if tenant.parent_id is None:
        raise PlacesError("not_a_city", tenant_id)
    return _Import(db, tenant, places, actor, full, dry_run).run()
