"""What both fake platforms share: an outage switch worked by the tests' knobs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse


def install_outage(app: FastAPI, knobs: Callable[[], Mapping[str, Any]], message: str) -> None:
    """While `knobs()["down"]` (the fake's current knobs: a reset replaces them), answer 503
    to everything but the knobs (`/_fake…`)."""

    @app.middleware("http")
    async def outage(request: Request, call_next: Any) -> Any:
        if knobs().get("down") and not request.url.path.startswith("/_fake"):
            return JSONResponse({"message": message}, status_code=503)
        return await call_next(request)
