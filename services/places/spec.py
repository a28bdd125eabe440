"""Places as a file describes them, whatever its format: wards, and localities in wards.

Every reader (csv_format, geojson_format, digit_format) turns a file into a `PlaceSet`; every
writer turns one back into a file. Validation common to all formats lives here: codes, names,
geometries. A reader raises `PlacesError` with a stable code and the offending place.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from shapely.errors import GEOSException
from shapely.geometry import shape
from shapely.validation import explain_validity

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
"""A place code: what grievances, exports and other systems refer to it by."""
LANGUAGE = re.compile(r"^[a-z]{2,3}$")
MAX_NAME = 100
MAX_ALT_NAMES = 20
MAX_PLACES = 5000
"""Wards plus localities in one file; a municipal corporation has a few hundred."""
MAX_VERTICES = 200_000
"""Coordinates of all boundaries in one file together."""
WARD_GEOMETRIES = frozenset({"Polygon", "MultiPolygon"})
LOCALITY_GEOMETRIES = WARD_GEOMETRIES | {"Point"}


class PlacesError(ValueError):
    """A file that cannot be imported; `code` is stable, `place` names the offending entry."""

    def __init__(self, code: str, place: str | None = None, detail: str | None = None) -> None:
        super().__init__(code, place, detail)
        self.code = code
        self.place = place
        self.detail = detail

    def as_dict(self) -> dict[str, str]:
        """The error as API and CLI report it."""
        found = {"code": self.code}
        if self.place is not None:
            found["place"] = self.place
        if self.detail is not None:
            found["reason"] = self.detail
        return found


@dataclass(frozen=True)
class WardSpec:
    """A ward as a file gives it."""

    code: str
    names: Mapping[str, str]
    alt_names: tuple[str, ...] = ()
    boundary: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class LocalitySpec:
    """A locality as a file gives it, with the code of its ward."""

    code: str
    ward: str
    names: Mapping[str, str]
    alt_names: tuple[str, ...] = ()
    boundary: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class PlaceSet:
    """What a file holds; `has_wards` / `has_localities` say which kinds it speaks for (a full
    import retires the places of those kinds that it does not list)."""

    wards: tuple[WardSpec, ...] = ()
    localities: tuple[LocalitySpec, ...] = ()
    has_wards: bool = field(default=False)
    has_localities: bool = field(default=False)
    keeps: frozenset[str] = field(default=frozenset())
    """What the format cannot carry, kept from the stored places instead of cleared:
    `names` (languages the file does not name), `alt_names`, `ward_boundary`,
    `locality_boundary` (when the file gives none)."""


def code_of(value: Any, place: str) -> str:
    """A valid place code, or `invalid_code`."""
    text = str(value).strip() if value is not None else ""
    if not CODE.match(text):
        raise PlacesError("invalid_code" if text else "missing_code", place or None)
    return text


def clean_names(names: Mapping[str, Any], place: str) -> dict[str, str]:
    """Names per language, trimmed; at least one; `invalid_language` / `invalid_name`."""
    found: dict[str, str] = {}
    for language, value in names.items():
        if not LANGUAGE.match(language):
            raise PlacesError("invalid_language", place, language[:16])
        text = " ".join(str(value or "").split())
        if len(text) > MAX_NAME or not text.isprintable():
            raise PlacesError("invalid_name", place, language)
        if text:
            found[language] = text
    if not found:
        raise PlacesError("missing_name", place)
    return found


def clean_alt_names(values: Iterable[Any], place: str, names: Mapping[str, str]) -> tuple[
        str, ...]:
    """Alternate spellings: trimmed, without duplicates or repeats of the names, bounded."""
    seen = {n.casefold() for n in names.values()}
    found: list[str] = []
    for value in values:
        text = " ".join(str(value or "").split())
        if not text or text.casefold() in seen:
            continue
        if len(text) > MAX_NAME or not text.isprintable():
            raise PlacesError("invalid_name", place, "alt_names")
        seen.add(text.casefold())
        found.append(text)
    if len(found) > MAX_ALT_NAMES:
        raise PlacesError("too_many_alt_names", place)
    return tuple(found)


def split_alt_names(value: Any) -> list[Any]:
    """Alternate names given as a list, or as one text separated by `|` or `;`."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    return re.split(r"[|;]", str(value))


def clean_geometry(geometry: Any, place: str, allowed: frozenset[str]) -> dict[str, Any] | None:
    """A GeoJSON geometry of an allowed type, valid, within longitude/latitude ranges."""
    if geometry is None:
        return None
    if not isinstance(geometry, Mapping) or geometry.get("type") not in allowed:
        kind = geometry.get("type") if isinstance(geometry, Mapping) else type(geometry).__name__
        raise PlacesError("invalid_geometry", place, f"type {str(kind)[:32]}")
    try:
        parsed = shape(geometry)
    except (GEOSException, ValueError, TypeError, KeyError, IndexError, AttributeError):
        raise PlacesError("invalid_geometry", place, "coordinates") from None
    if parsed.is_empty:
        raise PlacesError("invalid_geometry", place, "empty")
    west, south, east, north = parsed.bounds
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90) or not all(
            math.isfinite(v) for v in parsed.bounds):
        raise PlacesError("invalid_geometry", place, "out of range (longitude, latitude)")
    if not parsed.is_valid:
        raise PlacesError("invalid_geometry", place, explain_validity(parsed)[:80])
    return {"type": str(geometry["type"]), "coordinates": _plain(geometry["coordinates"])}


def _plain(value: Any) -> Any:
    """Coordinates as nested lists of floats (tuples and ints normalised for storage)."""
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return float(value)


def vertices(geometry: Mapping[str, Any] | None) -> int:
    """How many coordinates a geometry holds (to bound a file's total)."""
    def count(value: Any) -> int:
        if isinstance(value, list) and value and isinstance(value[0], list):
            return sum(count(v) for v in value)
        return 1
    return count(geometry["coordinates"]) if geometry else 0


def checked(places: PlaceSet) -> PlaceSet:
    """The set, refused when a code repeats within a kind or it is too large
    (`duplicate_code`, `too_many_places`, `too_many_vertices`), or empty (`no_places`: an
    empty full import would retire everything)."""
    if not places.wards and not places.localities:
        raise PlacesError("no_places")
    if len(places.wards) + len(places.localities) > MAX_PLACES:
        raise PlacesError("too_many_places")
    for kind in (places.wards, places.localities):
        seen: set[str] = set()
        for item in kind:
            if item.code in seen:
                raise PlacesError("duplicate_code", item.code)
            seen.add(item.code)
    total = sum(vertices(w.boundary) for w in places.wards) + sum(
        vertices(loc.boundary) for loc in places.localities)
    if total > MAX_VERTICES:
        raise PlacesError("too_many_vertices")
    return places
