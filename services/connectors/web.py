"""HTTP answers for a platform that fails under a staff request: 503 `platform_unavailable`
(down, try again) and 502 `platform_refused`, in the API's one error shape, never a 500."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.connectors.errors import LoginRequired, PlatformRefused, PlatformUnavailable
from services.grievances.registry import GrievanceError

STATUS: dict[type[GrievanceError], int] = {PlatformUnavailable: 503, PlatformRefused: 502,
                                           LoginRequired: 409}


async def _platform_error(request: Request, exc: Exception) -> JSONResponse:
    """`{"detail": {"code": ...}}` with the failure's status."""
    code = exc.code if isinstance(exc, GrievanceError) else "platform_error"
    status = next((s for kind, s in STATUS.items() if isinstance(exc, kind)), 502)
    headers = {"Retry-After": "30"} if status == 503 else None
    return JSONResponse({"detail": {"code": code}}, status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    """Answer platform failures that reach the framework (list, read, act on grievances)."""
    for kind in STATUS:
        app.add_exception_handler(kind, _platform_error)
