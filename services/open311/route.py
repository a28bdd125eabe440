"""Open311 routes answer every error in the spec's format, in the format the path asks for.

The app's handlers (services/web/errors.py) answer `{"detail": {...}}`; an Open311 client
expects `[{"code", "description"}]` (or `<errors><error>`), so the routes of this package use
`Open311Route`, which turns a validation failure or an HTTP error raised inside them into that.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from services.open311.formats import error, format_of
from services.web.errors import STATUS_CODES


class Open311Error(Exception):
    """An Open311 request refused: an HTTP status and a stable code."""

    def __init__(self, status: int, code: str) -> None:
        super().__init__(code)
        self.status = status
        self.code = code


class Open311Route(APIRoute):
    """An APIRoute whose errors take the Open311 shape."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The handler, wrapped to answer errors as the spec says."""
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            """Run the route; errors in the Open311 format of the path."""
            fmt = format_of(request.url.path)
            try:
                return await handler(request)
            except Open311Error as exc:
                return error(fmt, exc.status, exc.code)
            except RequestValidationError:
                return error(fmt, 400, "invalid_request")
            except HTTPException as exc:
                code = exc.detail.get("code") if isinstance(exc.detail, dict) else None
                return error(fmt, exc.status_code,
                             str(code or STATUS_CODES.get(exc.status_code, "error")))

        return guarded
