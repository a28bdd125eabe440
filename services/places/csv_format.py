"""CSV: one row per place, a header naming the columns (UTF-8, a BOM allowed).

Columns: `code` (required), `kind` (`ward` or `locality`), `ward` (a locality's ward code),
`name:<lang>` (one per language), `alt_names` (separated by `|`), `lat` and `lon` (a
locality's point), `boundary` (a GeoJSON geometry as JSON text). Without a `kind` column a
file with a `ward` column lists localities and one without lists wards.
"""

from __future__ import annotations

import csv
import io
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

MAX_FIELD = 4 * 1024 * 1024
"""A boundary column may hold a long polygon."""


def read(data: bytes) -> PlaceSet:
    """Parse a places CSV (`invalid_csv` when it has no header with `code`)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PlacesError("invalid_csv", detail="not UTF-8") from None
    csv.field_size_limit(MAX_FIELD)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    if "code" not in header:
        raise PlacesError("invalid_csv", detail="no code column")
    wards: list[WardSpec] = []
    localities: list[LocalitySpec] = []
    try:
        rows = list(reader)
    except csv.Error:
        raise PlacesError("invalid_csv") from None
    for number, row in enumerate(rows, start=2):
        if None in row:
            raise PlacesError("invalid_csv", f"line {number}", "more fields than columns")
        code = code_of(row.get("code"), f"line {number}")
        kind = (row.get("kind") or "").strip() if "kind" in header else (
            "locality" if "ward" in header else "ward")
        names = clean_names({k.removeprefix("name:"): v for k, v in row.items()
                             if k.startswith("name:")}, code)
        alt = clean_alt_names(split_alt_names(row.get("alt_names")), code, names)
        if kind == "ward":
            wards.append(WardSpec(code, names, alt, _geometry(row, code, WARD_GEOMETRIES)))
        elif kind == "locality":
            localities.append(LocalitySpec(code, code_of(row.get("ward"), code), names, alt,
                                           _geometry(row, code, LOCALITY_GEOMETRIES)))
        else:
            raise PlacesError("invalid_kind", code, kind[:16])
    return checked(PlaceSet(tuple(wards), tuple(localities), has_wards=bool(wards),
                            has_localities=bool(localities)))


def _geometry(row: Mapping[str, Any], code: str,
              allowed: frozenset[str]) -> dict[str, Any] | None:
    """The place's geometry from `boundary` (JSON) or `lat`/`lon`."""
    boundary = (row.get("boundary") or "").strip()
    lat, lon = (row.get("lat") or "").strip(), (row.get("lon") or "").strip()
    if boundary:
        try:
            geometry = json.loads(boundary)
        except (json.JSONDecodeError, RecursionError):
            raise PlacesError("invalid_geometry", code, "boundary is not JSON") from None
        return clean_geometry(geometry, code, allowed)
    if lat or lon:
        try:
            point = [float(lon), float(lat)]
        except ValueError:
            raise PlacesError("invalid_geometry", code, "lat/lon") from None
        return clean_geometry({"type": "Point", "coordinates": point}, code, allowed)
    return None


def write(places: PlaceSet) -> bytes:
    """Wards, then localities; a name column for every language any place is named in."""
    named = [*(w.names for w in places.wards), *(loc.names for loc in places.localities)]
    languages = sorted({lang for names in named for lang in names},
                       key=lambda lang: (lang != "en", lang))
    columns = ["kind", "code", "ward", *(f"name:{lang}" for lang in languages), "alt_names",
               "lat", "lon", "boundary"]
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, columns, lineterminator="\n")
    writer.writeheader()
    items: list[tuple[str, WardSpec | LocalitySpec]] = [
        *(("ward", w) for w in places.wards), *(("locality", loc) for loc in places.localities)]
    for kind, place in items:
        row: dict[str, Any] = {"kind": kind, "code": place.code,
                               "ward": place.ward if isinstance(place, LocalitySpec) else "",
                               "alt_names": "|".join(place.alt_names)}
        row.update({f"name:{lang}": text for lang, text in place.names.items()})
        geometry = place.boundary
        if geometry and geometry["type"] == "Point":
            row["lon"], row["lat"] = (repr(v) for v in geometry["coordinates"])
        elif geometry:
            row["boundary"] = json.dumps(geometry, separators=(",", ":"))
        writer.writerow(row)
    return buffer.getvalue().encode()
