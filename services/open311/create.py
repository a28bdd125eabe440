"""POST requests: a form-encoded report filed as a grievance of the jurisdiction's city.

The form is the spec's: `service_code`, a place (`lat` + `long`, or `address_string`, or the
`locality` attribute), `attribute[<code>]` for the service definition's attributes,
`description` and `media_url`. Where it is, in this order: `attribute[locality]` if given; the
point placed in the city's mapped wards (services/places/locate.py); a locality named in
`address_string`. Personal fields (`email`, `phone`, `first_name`, `last_name`, `device_id`,
`account_id`) are accepted and not stored: the gateway cannot reach a citizen through an
Open311 client, and keeps no personal data it cannot use.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from services.categories.service import category as category_of
from services.open311.catalog import ATTRIBUTES, LANDMARK, LOCALITY, localities
from services.open311.route import Open311Error
from services.places.locate import locate
from services.tenancy.models import Category, Locality, Tenant

ATTRIBUTE = re.compile(r"^attribute\[([^\]]{1,64})\]$")
LIMITS = {"description": 4000, "address_string": 500, "media_url": 500, LANDMARK: 200,
          LOCALITY: 32}
URL = re.compile(r"^https?://[^\s/]+\S*$")


@dataclass(frozen=True)
class Report:
    """What the form asks to file, checked."""

    category: Category
    locality: Locality
    description: str
    evidence: dict[str, Any]


def _bounded(name: str, value: str | None) -> str | None:
    """A text field stripped, 400 `<name>_too_long` past its limit, None when empty."""
    if value is None:
        return None
    value = value.strip()
    if len(value) > LIMITS.get(name, 200):
        raise Open311Error(400, f"{name}_too_long")
    return value or None


def attributes(form: Mapping[str, str]) -> dict[str, str]:
    """The `attribute[code]` fields; 400 `unknown_attribute` for a code no service has."""
    found: dict[str, str] = {}
    for key, value in form.items():
        match = ATTRIBUTE.match(key)
        if match is None:
            continue
        if match.group(1) not in ATTRIBUTES:
            raise Open311Error(400, "unknown_attribute")
        found[match.group(1)] = value
    return found


def _point(form: Mapping[str, str]) -> tuple[float, float] | None:
    """`lat` and `long` as numbers in range, None when neither is given; 400 otherwise."""
    lat, lon = form.get("lat", "").strip(), form.get("long", "").strip()
    if not lat and not lon:
        return None
    try:
        point = (float(lat), float(lon))
    except ValueError:
        raise Open311Error(400, "invalid_lat_long") from None
    if not all(math.isfinite(v) for v in point) or abs(point[0]) > 90 or abs(point[1]) > 180:
        raise Open311Error(400, "invalid_lat_long")
    return point


def _named(db: Session, tenant: Tenant, text: str) -> Locality | None:
    """The locality whose name or code `address_string` contains (the longest such name)."""
    lowered = text.casefold()
    best: tuple[int, Locality] | None = None
    for loc in localities(db, tenant.id):
        for name in (loc.code, *(loc.names or {}).values(), *(loc.alt_names or [])):
            name = str(name).casefold()
            if len(name) >= 3 and name in lowered and (best is None or len(name) > best[0]):
                best = (len(name), loc)
    return best[1] if best else None


def _locality(db: Session, tenant: Tenant, given: str | None,
              point: tuple[float, float] | None, address: str | None) -> Locality:
    """Where the report is: the attribute, else the point, else the address; 400 otherwise."""
    if given is not None:
        found = next((loc for loc in localities(db, tenant.id) if loc.code == given), None)
        if found is None:
            raise Open311Error(400, "invalid_attribute")
        return found
    if point is not None:
        placed = locate(db, tenant.id, point[0], point[1])
        if placed is not None and placed.locality is not None:
            loc = db.get(Locality, placed.locality.id)
            if loc is not None:
                return loc
    named = _named(db, tenant, address) if address else None
    if named is None:
        raise Open311Error(400, "location_not_placed")
    return named


def report(db: Session, tenant: Tenant, form: Mapping[str, str]) -> Report:
    """The report a form describes; Open311Error (400/404) naming what is wrong."""
    code = (form.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, "service_code_required")
    row = category_of(db, tenant.id, code[:64])
    if row is None or not row.active:
        raise Open311Error(404, "unknown_service_code")
    attrs = {k: _bounded(k, v) for k, v in attributes(form).items()}
    point = _point(form)
    address = _bounded("address_string", form.get("address_string"))
    landmark = attrs.get(LANDMARK)
    if point is None and address is None and attrs.get(LOCALITY) is None:
        raise Open311Error(400, "location_required")
    if row.location_required and point is None:
        raise Open311Error(400, "lat_long_required")
    description = _bounded("description", form.get("description"))
    if description is None:
        raise Open311Error(400, "description_required")
    media = _bounded("media_url", form.get("media_url"))
    if media is not None and not URL.match(media):
        raise Open311Error(400, "invalid_media_url")
    if row.photo_required and media is None:
        raise Open311Error(400, "media_url_required")
    locality = _locality(db, tenant, attrs.get(LOCALITY), point, address)
    evidence: dict[str, Any] = {}
    if point is not None:
        evidence["location"] = {"lat": point[0], "lon": point[1]}
    elif landmark or address:
        evidence["location"] = {"text": ", ".join(t for t in (landmark, address) if t)}
    if media is not None:
        evidence["media_url"] = media
    return Report(row, locality, description, evidence)
