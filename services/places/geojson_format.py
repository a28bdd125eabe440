"""GeoJSON: a FeatureCollection of wards (Polygon/MultiPolygon) and localities.

A feature's `properties`: `code` (else the feature's `id`), `kind` (`ward` or `locality`;
when absent, a feature with a `ward` property is a locality, any other a ward), `name:<lang>`
names (a plain `name` is English unless `name:en` is given, then it is an alternate
spelling), `alt_names` (a list, or text separated by `|`), and for a locality `ward`, the code
of its ward. Localities may be points, polygons, or have no geometry.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from services.places.spec import (
    LOCALITY_GEOMETRIES,
    WARD_GEOMETRIES,
    LocalitySpec,
    PlacesError,
    PlaceSet,
    WardSpec,
    checked,
    clean_alt_names,
    clean_geometry,
    clean_names,
    code_of,
    split_alt_names,
)


def read(data: bytes) -> PlaceSet:
    """Parse a FeatureCollection (`invalid_geojson` when it is not one)."""
    document = load_json(data)
    if not isinstance(document, Mapping) or document.get("type") != "FeatureCollection" \
            or not isinstance(document.get("features"), list):
        raise PlacesError("invalid_geojson", detail="not a FeatureCollection")
    wards: list[WardSpec] = []
    localities: list[LocalitySpec] = []
    for index, feature in enumerate(document["features"]):
        if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
            raise PlacesError("invalid_geojson", f"#{index + 1}", "not a Feature")
        props = feature.get("properties") or {}
        if not isinstance(props, Mapping):
            raise PlacesError("invalid_geojson", f"#{index + 1}", "properties")
        code = code_of(props.get("code", feature.get("id")), f"#{index + 1}")
        kind = props.get("kind") or ("locality" if props.get("ward") else "ward")
        names, alt = _names(props, code)
        if kind == "ward":
            wards.append(WardSpec(code, names, alt, clean_geometry(
                feature.get("geometry"), code, WARD_GEOMETRIES)))
        elif kind == "locality":
            localities.append(LocalitySpec(
                code, code_of(props.get("ward"), code), names, alt,
                clean_geometry(feature.get("geometry"), code, LOCALITY_GEOMETRIES)))
        else:
            raise PlacesError("invalid_kind", code, str(kind)[:16])
    return checked(PlaceSet(tuple(wards), tuple(localities), has_wards=bool(wards),
                            has_localities=bool(localities)))


def load_json(data: bytes) -> Any:
    """UTF-8 JSON (a BOM allowed), or `invalid_json` (also for absurd nesting)."""
    try:
        return json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise PlacesError("invalid_json") from None


def _names(props: Mapping[str, Any], code: str) -> tuple[dict[str, str], tuple[str, ...]]:
    """Names per language and alternate spellings from a feature's properties."""
    raw = {key.removeprefix("name:"): value for key, value in props.items()
           if isinstance(key, str) and key.startswith("name:")}
    alt = split_alt_names(props.get("alt_names"))
    if "name" in props:
        if "en" in raw:
            alt.insert(0, props["name"])
        else:
            raw["en"] = props["name"]
    names = clean_names(raw, code)
    return names, clean_alt_names(alt, code, names)


def write(places: PlaceSet) -> bytes:
    """A FeatureCollection: wards first, then localities, each in code order."""
    features: list[dict[str, Any]] = []
    for ward in places.wards:
        features.append(_feature(ward.code, "ward", ward.names, ward.alt_names, ward.boundary))
    for loc in places.localities:
        features.append(_feature(loc.code, "locality", loc.names, loc.alt_names, loc.boundary,
                                 ward=loc.ward))
    document = {"type": "FeatureCollection", "features": features}
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode()


def _feature(code: str, kind: str, names: Mapping[str, str], alt: tuple[str, ...],
             geometry: Mapping[str, Any] | None, ward: str | None = None) -> dict[str, Any]:
    """One place as a Feature."""
    props: dict[str, Any] = {"code": code, "kind": kind}
    if ward is not None:
        props["ward"] = ward
    props.update({f"name:{lang}": text for lang, text in sorted(names.items())})
    if alt:
        props["alt_names"] = list(alt)
    return {"type": "Feature", "properties": props,
            "geometry": dict(geometry) if geometry else None}
