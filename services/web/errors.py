"""The one error shape of the HTTP API, its OpenAPI models and the handlers that produce it.

Every error answers `{"detail": {"code": ..., "fields": [...]?}}`; the code is stable and never
English. Webhook routes answer providers `{"error": code}` instead (see services/web/webhooks).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

STATUS_CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
                405: "method_not_allowed", 406: "not_acceptable", 413: "payload_too_large",
                415: "unsupported_media_type"}
"""The code of an error raised without one (routing, methods), by HTTP status."""


class FieldError(BaseModel):
    """One offending input: where it is (`["query", "since"]`) and what is wrong with it."""

    loc: list[str]
    type: str


class ErrorDetail(BaseModel):
    """A stable error code, with the offending fields when the request was invalid."""

    code: str
    fields: list[FieldError] | None = None
    limit: int | None = None
    """The byte limit, on 413."""
    place: str | None = None
    """The entry of an imported places file that was refused."""
    reason: str | None = None
    """What is wrong with it, when the code alone does not say (not translated)."""


class ApiError(BaseModel):
    """Every API error: `{"detail": {"code": ...}}`."""

    detail: ErrorDetail


class WebhookError(BaseModel):
    """What a provider is answered when its webhook is refused: `{"error": code}`."""

    error: str
    limit: int | None = None
    """The byte limit, on 413."""


def _response(description: str, model: type[BaseModel] = ApiError) -> dict[str, Any]:
    """One documented error response."""
    return {"model": model, "description": description}


API_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _response("`unauthenticated`: no key, or an unknown or revoked one"),
    403: _response("`forbidden_role` or `forbidden_tenant`"),
    404: _response("`not_found`, also for a grievance outside the key's scope; `no_phone`"),
    409: _response("`invalid_transition`"),
    413: _response("`payload_too_large`"),
    422: _response("`invalid_request` (with `fields`), `invalid_status`, `note_required`, "
                   "`invalid_assignee`, `assignee_out_of_scope`, `invalid_config` or "
                   "`invalid_rules` (with `fields`), "
                   "`out_of_range`, `invalid_cursor`, `cursor_with_offset`"),
}
"""Errors of the staff API, declared on its router."""


async def invalid_request(_: Request, exc: Exception) -> JSONResponse:
    """Validation failures (malformed JSON too) carry a code and the offending fields."""
    assert isinstance(exc, RequestValidationError)
    fields = [{"loc": [str(part) for part in error["loc"]], "type": error["type"]}
              for error in exc.errors()]
    return JSONResponse({"detail": {"code": "invalid_request", "fields": fields}},
                        status_code=422)


async def http_error(_: Request, exc: Exception) -> Response:
    """HTTP errors keep a dict detail as it is; an English one becomes a code."""
    assert isinstance(exc, StarletteHTTPException)
    headers = getattr(exc, "headers", None)
    if exc.status_code in (204, 304):
        return Response(status_code=exc.status_code, headers=headers)
    detail = exc.detail if isinstance(exc.detail, dict) else {
        "code": STATUS_CODES.get(exc.status_code, f"http_{exc.status_code}")}
    return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=headers)


def install(app: FastAPI) -> None:
    """Register the handlers on an app."""
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(StarletteHTTPException, http_error)
