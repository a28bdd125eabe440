"""The file formats places are imported from and exported to, by name."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from services.places import csv_format, digit_format, geojson_format
from services.places.spec import PlacesError, PlaceSet

MAX_BYTES = 8 * 1024 * 1024
"""The largest file accepted (the API refuses a larger body before reading it)."""


class Format(StrEnum):
    """A places file format."""

    CSV = "csv"
    GEOJSON = "geojson"
    DIGIT = "digit"


def guess(path: Path) -> Format:
    """The format a file name suggests: `.csv`, `.geojson`, else DIGIT for other `.json`."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return Format.CSV
    if suffix == ".geojson":
        return Format.GEOJSON
    if suffix == ".json":
        return Format.DIGIT
    raise PlacesError("unknown_format", detail=path.suffix[:16])


def read(fmt: Format, data: bytes, tenant_id: str, local_language: str | None = None) -> PlaceSet:
    """Parse a file (`file_too_large` past MAX_BYTES); `local_language` is the language of
    DIGIT's `localname`."""
    if len(data) > MAX_BYTES:
        raise PlacesError("file_too_large", detail=str(MAX_BYTES))
    if fmt is Format.CSV:
        return csv_format.read(data)
    if fmt is Format.GEOJSON:
        return geojson_format.read(data)
    return digit_format.read(data, tenant_id, local_language)


def write(fmt: Format, places: PlaceSet, tenant_id: str, city_name: str,
          local_language: str | None = None) -> bytes:
    """Serialise places in a format."""
    if fmt is Format.CSV:
        return csv_format.write(places)
    if fmt is Format.GEOJSON:
        return geojson_format.write(places)
    return digit_format.write(places, tenant_id, city_name, local_language)
