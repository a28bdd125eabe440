"""Service requests as Open311 shows them, and GET requests' search over the registry.

Two views of one grievance. Anyone (no `api_key`) sees what the city's `public_status` allows
(services/tenancy/privacy.py): `none`, the default, shows nothing — a search finds no request
and a read is 404, exactly as for a number that does not exist; `status` shows the service,
the status, the times and the locality, never the citizen's words, their point, a photo or a
staff note. A staff or app key covering the tenant also sees the description, the point
(`lat`/`long`), the typed landmark as `address` and the office's latest note as
`status_notes`.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import islice
from typing import Any

from i18n.catalog import MissingMessage, translate
from services.grievances.registry import (
    CLOSED,
    STATUSES,
    Filters,
    GrievanceRegistry,
    GrievanceView,
    HistoryEntry,
    NotFound,
    Position,
)
from services.open311.catalog import name_in
from services.open311.formats import w3c

OPEN311_STATUS = {status: ("closed" if status in CLOSED else "open") for status in STATUSES}
"""Our workflow statuses as Open311's two."""
BY_OPEN311 = {"open": tuple(s for s in STATUSES if s not in CLOSED), "closed": tuple(CLOSED)}


def request_view(view: GrievanceView, agency: str, full: bool,
                 language: str = "en") -> dict[str, Any]:
    """One service request; `full` adds what only staff may see."""
    place = name_in(view.locality_names, language) if view.locality_names else view.locality
    item: dict[str, Any] = {
        "service_request_id": view.id, "status": OPEN311_STATUS.get(view.status, "open"),
        "status_notes": None, "service_name": name_in(view.category_names, language),
        "service_code": view.category, "description": None, "agency_responsible": agency,
        "service_notice": None, "requested_datetime": w3c(view.created_at),
        "updated_datetime": w3c(view.updated_at), "expected_datetime": w3c(view.due_at),
        "address": f"{place}, {view.ward}", "address_id": view.locality, "zipcode": None,
        "lat": None, "long": None, "media_url": None,
    }
    if full:
        location = view.evidence.get("location") or {}
        note = view.office_note
        item.update(description=view.description,
                    status_notes=_note_text(note, language),
                    lat=location.get("lat"), long=location.get("lon"),
                    media_url=view.evidence.get("media_url"))
        if location.get("text"):
            item["address"] = f"{location['text']}, {item['address']}"
    return item


def _note_text(entry: HistoryEntry | None, language: str) -> str | None:
    """The office's latest note: as written, or the standard note in the city's language."""
    if entry is None:
        return None
    if entry.note:
        return entry.note
    if entry.note_key is None:
        return None
    try:
        return translate(language, entry.note_key)
    except MissingMessage:  # a standard note retired since
        return None


@dataclass(frozen=True)
class Search:
    """GET requests' filters, already checked."""

    codes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    """Open311 statuses (`open`, `closed`); empty means all."""
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 1000
    offset: int = 0


CHUNK = 250
"""Grievances read per registry search while merging."""


def _stream(registry: GrievanceRegistry, scope: str, base: Filters) -> Iterator[GrievanceView]:
    """One (category, status) stream, newest first, read a chunk at a time by position."""
    after: Position | None = None
    while True:
        page = registry.search(scope=scope, filters=replace(base, limit=CHUNK, after=after))
        yield from page
        if len(page) < CHUNK:
            return
        after = Position(page[-1].created_at, page[-1].id)


def search(registry: GrievanceRegistry, scope: str, query: Search) -> list[GrievanceView]:
    """Grievances matching the search, newest first: one stream per (category, status) asked
    for, each paged by position, merged lazily in the registry's order, so any registry serves
    it and a deep page reads about `offset + limit` grievances whatever the streams."""
    statuses: Sequence[str | None] = [s for name in query.statuses
                                      for s in BY_OPEN311[name]] or [None]
    codes: Sequence[str | None] = query.codes or [None]
    streams = [_stream(registry, scope, Filters(status=status, category=code,
                                                since=query.since, until=query.until))
               for code in codes for status in statuses]
    merged = heapq.merge(*streams, key=lambda v: (v.created_at, v.id), reverse=True)
    return list(islice(merged, query.offset, query.offset + query.limit))


def by_ids(registry: GrievanceRegistry, scope: str, ids: Iterable[str]) -> list[GrievanceView]:
    """The grievances of the ids found in the scope, in the order asked (unknown ones left
    out, as the spec's search by id does)."""
    found = []
    for public_id in ids:
        try:
            found.append(registry.get(scope=scope, public_id=public_id))
        except NotFound:
            continue
    return found
