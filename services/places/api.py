"""Staff HTTP API for a city's places: export in any format; admins import a file.

`POST /api/v1/places/{tenant}/import?format=geojson` takes the file as the request body (at
most `formats.MAX_BYTES`; a larger body is 413 `payload_too_large` before it is read) and
answers the import report; `dry_run=true` reports without writing, `partial=true` retires
nothing. A refused file is 422 with the file's error code (`invalid_geojson`, `unknown_ward`,
…), `place` naming the entry and `reason`. 401/403/404 as for the other staff routes.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from pydantic import BaseModel

from services.places.export import city_name, stored_places
from services.places.formats import Format, read, write
from services.places.importer import import_places
from services.places.spec import PlacesError
from services.web.admin import readable, writable
from services.web.deps import CtxDep, DbDep, StaffDep
from services.web.errors import API_RESPONSES

router = APIRouter(prefix="/api/v1/places", tags=["places"], responses=API_RESPONSES)
MEDIA_TYPES = {Format.CSV: "text/csv", Format.GEOJSON: "application/geo+json",
               Format.DIGIT: "application/json"}
FILE_BODY: dict[str, Any] = {"requestBody": {
    "required": True, "description": "the file, in the format named by `format`", "content": {
        "text/csv": {"schema": {"type": "string"}},
        "application/geo+json": {"schema": {"type": "object"}},
        "application/json": {"schema": {"type": "object"}},
    }}}
FILE_RESPONSE: dict[int | str, dict[str, Any]] = {200: {
    "description": "the places file", "content": {
        media: {"schema": {"type": "object"} if "json" in media else {"type": "string"}}
        for media in MEDIA_TYPES.values()}}}


LocalLanguage = Annotated[str | None, Query(
    pattern="^[a-z]{2,3}$", description="DIGIT: the language of `localname`")]


class ImportReport(BaseModel):
    """What an import changed, or would change on a dry run; each entry names `kind` and
    `code` (renamed: `from`/`to` names; moved: `from`/`to` ward; updated: `fields`); `overlaps`
    warns of wards drawn over each other."""

    tenant: str
    dry_run: bool
    full: bool
    added: list[dict[str, Any]]
    renamed: list[dict[str, Any]]
    moved: list[dict[str, Any]]
    updated: list[dict[str, Any]]
    restored: list[dict[str, Any]]
    retired: list[dict[str, Any]]
    unchanged: int
    overlaps: list[dict[str, Any]] = []
    """Warnings: pairs of wards whose boundaries overlap (`codes`, `share` of the smaller)."""


async def file_body(request: Request) -> bytes:
    """The raw request body (the body limit has already bounded it)."""
    return await request.body()


@router.get("/{tenant_id}", response_class=Response, responses=FILE_RESPONSE)
def export_places(tenant_id: str, db: DbDep, staff: StaffDep,
                  fmt: Annotated[Format, Query(alias="format")] = Format.GEOJSON,
                  local_language: LocalLanguage = None) -> Response:
    """The city's active wards and localities as a file (re-importable as it is)."""
    readable(db, staff, tenant_id)
    data = write(fmt, stored_places(db, tenant_id), tenant_id, city_name(db, tenant_id),
                 local_language)
    return Response(data, media_type=MEDIA_TYPES[fmt], headers={
        "Content-Disposition": f'attachment; filename="{tenant_id}.{fmt.value}"'})


@router.post("/{tenant_id}/import", openapi_extra=FILE_BODY)
def import_file(tenant_id: str, ctx: CtxDep, db: DbDep, staff: StaffDep,
                data: Annotated[bytes, Depends(file_body)],
                fmt: Annotated[Format, Query(alias="format")],
                dry_run: bool = False, partial: bool = False,
                local_language: LocalLanguage = None) -> ImportReport:
    """Import wards and localities from a file (admins only); answers the report."""
    writable(db, staff, tenant_id)
    try:
        places = read(fmt, data, tenant_id, local_language)
        report = import_places(db, tenant_id, places, actor=staff.actor, full=not partial,
                               dry_run=dry_run)
    except PlacesError as exc:
        db.rollback()
        raise HTTPException(422, detail=exc.as_dict()) from None
    if dry_run:
        db.rollback()
    else:
        db.commit()
        ctx.master.clear()
    return ImportReport(**report.as_dict())
