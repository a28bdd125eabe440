"""DIGIT boundary data: the `TenantBoundary` hierarchy of egov-location (and boundary-service).

A file holds `{"tenantId", "moduleName": "egov-location", "TenantBoundary": [{"hierarchyType":
{"code": "REVENUE"}, "boundary": {<City> with "children"}}]}`; each node has a `label` (or
`boundaryType`) — City, Zone, Ward, Block, Locality —, a `code`, a `name`, a `localname` and
optionally `latitude`/`longitude`. The REVENUE hierarchy is read (else ADMIN, else the first).
Wards are the nodes labelled Ward, or Block when no node is; a locality belongs to the ward
above it, and its coordinates become its point. `name` is English; `localname`, when it differs,
is the name in `local_language` when the importer names one (DIGIT does not say which language
it is in), else kept as an alternate spelling. DIGIT holds no polygons: they are not written,
and a locality's polygon is written as its representative point. What DIGIT cannot carry is
kept on import (`PlaceSet.keeps`): names in other languages, ward boundaries, a locality's
boundary when the node has no coordinates, and alternate spellings when `localname` is named.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from shapely.geometry import shape

from services.places.geojson_format import load_json
from services.places.spec import (
    LOCALITY_GEOMETRIES,
    LocalitySpec,
    PlacesError,
    PlaceSet,
    WardSpec,
    checked,
    clean_alt_names,
    clean_geometry,
    clean_names,
    code_of,
)

PREFERRED = ("REVENUE", "ADMIN")
MAX_DEPTH = 12


@dataclass(frozen=True)
class Node:
    """One boundary node with the code of the ward above it (None above the wards)."""

    data: Mapping[str, Any]
    label: str
    ward: str | None


def read(data: bytes, tenant_id: str | None = None,
         local_language: str | None = None) -> PlaceSet:
    """Parse DIGIT boundary data (`invalid_digit`; `tenant_mismatch` for another city's)."""
    document = load_json(data)
    entries = document.get("TenantBoundary") if isinstance(document, Mapping) else None
    if not isinstance(entries, list) or not entries or not all(
            isinstance(e, Mapping) for e in entries):
        raise PlacesError("invalid_digit", detail="no TenantBoundary")
    file_tenant = document.get("tenantId")
    if tenant_id and isinstance(file_tenant, str) and file_tenant not in (
            tenant_id, tenant_id.split(".")[0]):
        raise PlacesError("tenant_mismatch", detail=file_tenant[:64])
    roots = _roots(_hierarchy(entries))
    labels = {node.label for root in roots for node in _walk(root, None, set(), 0)}
    ward_label = "ward" if "ward" in labels else "block"
    wards: list[WardSpec] = []
    localities: list[LocalitySpec] = []
    for root in roots:
        for node in _walk(root, None, {ward_label}, 0):
            if node.label == ward_label:
                code = code_of(node.data.get("code"), "")
                names, alt = _names(node.data, code, local_language)
                wards.append(WardSpec(code, names, alt))
            elif node.label == "locality":
                code = code_of(node.data.get("code"), "")
                if node.ward is None:
                    raise PlacesError("locality_without_ward", code)
                names, alt = _names(node.data, code, local_language)
                localities.append(LocalitySpec(code, node.ward, names, alt, _point(node.data,
                                                                                   code)))
    keeps = {"names", "ward_boundary", "locality_boundary"} | (
        {"alt_names"} if local_language else set())
    return checked(PlaceSet(tuple(wards), tuple(localities), has_wards=bool(wards),
                            has_localities=bool(localities), keeps=frozenset(keeps)))


def _hierarchy(entries: list[Mapping[str, Any]]) -> Mapping[str, Any]:
    """The entry of the preferred hierarchy type."""
    def kind(entry: Mapping[str, Any]) -> str:
        value = entry.get("hierarchyType")
        return str(value.get("code") if isinstance(value, Mapping) else value or "").upper()
    by_kind = {kind(e): e for e in reversed(entries)}
    return next((by_kind[k] for k in PREFERRED if k in by_kind), entries[0])


def _roots(entry: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The top nodes: one `boundary` object (egov-location) or a list (boundary-service)."""
    boundary = entry.get("boundary")
    roots: list[Any] = boundary if isinstance(boundary, list) else [boundary]
    if not roots or not all(isinstance(r, Mapping) for r in roots):
        raise PlacesError("invalid_digit", detail="boundary")
    return [r for r in roots if isinstance(r, Mapping)]


def _walk(node: Mapping[str, Any], ward: str | None, ward_labels: set[str],
          depth: int) -> Iterator[Node]:
    """Every node below and including this one, depth first, in file order."""
    if depth > MAX_DEPTH:
        raise PlacesError("invalid_digit", detail="nested too deeply")
    label = str(node.get("label") or node.get("boundaryType") or "").strip().lower()
    yield Node(node, label, ward)
    if label in ward_labels:
        ward = str(node.get("code") or "").strip()
    children = node.get("children") or []
    if not isinstance(children, list):
        raise PlacesError("invalid_digit", str(node.get("code"))[:32], "children")
    for child in children:
        if not isinstance(child, Mapping):
            raise PlacesError("invalid_digit", str(node.get("code"))[:32], "children")
        yield from _walk(child, ward, ward_labels, depth + 1)


def _names(data: Mapping[str, Any], code: str,
           local_language: str | None) -> tuple[dict[str, str], tuple[str, ...]]:
    """The node's name as English (its code when it has none); a different localname in the
    local language, or as an alternate spelling."""
    english = str(data.get("name") or code)
    local = str(data.get("localname") or "")
    if local_language and local_language != "en" and local and local != english:
        return clean_names({"en": english, local_language: local}, code), ()
    names = clean_names({"en": english}, code)
    return names, clean_alt_names([local], code, names)


def _point(data: Mapping[str, Any], code: str) -> dict[str, Any] | None:
    """A locality's latitude/longitude as a Point, when both are given."""
    lat, lon = data.get("latitude"), data.get("longitude")
    if lat in (None, "") or lon in (None, ""):
        return None
    try:
        coordinates = [float(lon), float(lat)]
    except (TypeError, ValueError):
        raise PlacesError("invalid_geometry", code, "latitude/longitude") from None
    return clean_geometry({"type": "Point", "coordinates": coordinates}, code,
                          LOCALITY_GEOMETRIES)


def write(places: PlaceSet, tenant_id: str, city_name: str,
          local_language: str | None = None) -> bytes:
    """egov-location boundary data: City → Block (ward) → Locality, REVENUE hierarchy."""
    counter = iter(range(1, 1_000_000))
    by_ward: dict[str, list[LocalitySpec]] = {}
    for loc in places.localities:
        by_ward.setdefault(loc.ward, []).append(loc)

    def node(label: str, code: str, name: str, local: str, number: int,
             point: tuple[float, float] | None = None,
             children: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        return {"id": next(counter), "boundaryNum": number, "name": name, "localname": local,
                "longitude": point[0] if point else None,
                "latitude": point[1] if point else None,
                "label": label, "code": code, "children": children or []}

    wards = []
    for w_number, ward in enumerate(places.wards, start=1):
        children = [node("Locality", loc.code, _en(loc.names),
                         _local(loc.names, loc.alt_names, local_language), l_number,
                         _lon_lat(loc.boundary))
                    for l_number, loc in enumerate(by_ward.get(ward.code, []), start=1)]
        wards.append(node("Block", ward.code, _en(ward.names),
                          _local(ward.names, ward.alt_names, local_language), w_number,
                          children=children))
    root = node("City", tenant_id, city_name, city_name, 1, children=wards)
    document = {"tenantId": tenant_id, "moduleName": "egov-location", "TenantBoundary": [
        {"hierarchyType": {"code": "REVENUE", "name": "REVENUE"}, "boundary": root}]}
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()


def _en(names: Mapping[str, str]) -> str:
    """The English name, else any."""
    return names.get("en") or next(iter(names.values()), "")


def _local(names: Mapping[str, str], alt_names: tuple[str, ...],
           local_language: str | None) -> str:
    """The localname: the local language's name, else the first other spelling, else
    English."""
    if local_language and names.get(local_language):
        return names[local_language]
    return alt_names[0] if alt_names else _en(names)


def _lon_lat(geometry: Mapping[str, Any] | None) -> tuple[float, float] | None:
    """A point's coordinates, or a polygon's representative point (rounded to ~1 m)."""
    if not geometry:
        return None
    if geometry["type"] == "Point":
        lon, lat = geometry["coordinates"]
        return float(lon), float(lat)
    point = shape(geometry).representative_point()
    return round(point.x, 6), round(point.y, 6)
