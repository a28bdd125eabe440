"""A cheap Razorpay API stand-in process: what a worker calls after a capture.

Served by uvicorn on its own (``uvicorn bench.razorpay_sink:app``) so that it is not what a
benchmark measures. After a payment is captured the worker closes the attempt's other way to
pay: `POST /v1/payment_links/{id}/cancel` and `POST /v1/payments/qr_codes/{id}/close`. Razorpay
refuses to cancel a paid link with 400 `BAD_REQUEST_ERROR` (which the gateway treats as done)
and closes a QR with its entity; so does this stand-in, with Basic auth required as Razorpay
does. ``GET /bench/calls`` counts the calls.
"""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import FastAPI, Header
from fastapi.responses import JSONResponse

app = FastAPI()
CALLS: dict[str, int] = {"cancel": 0, "close": 0, "unauthorised": 0}


def _error(status: int, code: str, description: str) -> JSONResponse:
    """Razorpay's error envelope."""
    return JSONResponse({"error": {"code": code, "description": description, "source": "NA",
                                   "step": "NA", "reason": "NA", "metadata": {}}},
                        status_code=status)


def _authorised(authorization: str | None) -> bool:
    """Basic auth present (the key id and secret; not checked further here)."""
    if authorization and authorization.startswith("Basic "):
        return True
    CALLS["unauthorised"] += 1
    return False


@app.post("/v1/payment_links/{link_id}/cancel")
async def cancel_link(link_id: str,
                      authorization: Annotated[str | None, Header()] = None) -> JSONResponse:
    """A paid link cannot be cancelled (Razorpay's answer for one)."""
    if not _authorised(authorization):
        return _error(401, "BAD_REQUEST_ERROR", "The api key provided is invalid")
    CALLS["cancel"] += 1
    return _error(400, "BAD_REQUEST_ERROR", "Payment Link cannot be cancelled as it is paid")


@app.post("/v1/payments/qr_codes/{qr_id}/close")
async def close_qr(qr_id: str,
                   authorization: Annotated[str | None, Header()] = None) -> JSONResponse:
    """The QR closed."""
    if not _authorised(authorization):
        return _error(401, "BAD_REQUEST_ERROR", "The api key provided is invalid")
    CALLS["close"] += 1
    return JSONResponse({"id": qr_id, "entity": "qr_code", "status": "closed",
                         "close_reason": "on_demand", "closed_at": int(time.time())})


@app.get("/bench/calls")
async def calls() -> dict[str, int]:
    """How many calls of each kind came."""
    return dict(CALLS)


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    """Liveness, for the benchmark's start-up wait."""
    return {"status": "ok"}
