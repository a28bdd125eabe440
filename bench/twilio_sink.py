"""A cheap Twilio stand-in process: the Messages create endpoint, recording when each arrived.

Served by uvicorn on its own (``uvicorn bench.twilio_sink:app``) so that it is not
what a benchmark measures. It answers the Twilio SDK as Twilio does (201 with the message
resource; 400 with Twilio's error JSON for a missing ``To`` or body; 401 without Basic auth),
records ``(CLOCK_MONOTONIC, To)`` per accepted message, and sends no status callbacks (they
would add load the benchmark does not ask for). ``GET /bench/replies`` hands the records out.
"""

from __future__ import annotations

import time
import uuid
from typing import Annotated, Any

from fastapi import FastAPI, Header, Request
from fastapi.responses import JSONResponse

API = "/2010-04-01"
app = FastAPI()
RECEIVED: list[tuple[float, str]] = []


def _error(status: int, code: int) -> JSONResponse:
    """An error in Twilio's REST error shape."""
    return JSONResponse({"code": code, "message": "bench sink", "status": status,
                         "more_info": f"https://www.twilio.com/docs/errors/{code}"},
                        status_code=status)


@app.post(API + "/Accounts/{account_sid}/Messages.json")
async def create_message(account_sid: str, request: Request,
                         authorization: Annotated[str | None, Header()] = None) -> JSONResponse:
    """Accept a message as Twilio's Messages resource does, and note when it came."""
    arrived = time.monotonic()
    if not authorization or not authorization.startswith("Basic "):
        return _error(401, 20003)
    form = await request.form()
    to, body = str(form.get("To") or ""), str(form.get("Body") or "")
    if not to:
        return _error(400, 21604)
    if not body:
        return _error(400, 21602)
    RECEIVED.append((arrived, to))
    sid = "SM" + uuid.uuid4().hex
    return JSONResponse({
        "sid": sid, "account_sid": account_sid, "to": to, "from": str(form.get("From") or ""),
        "body": body, "status": "queued", "direction": "outbound-api", "api_version": API[1:],
        "num_segments": "1", "num_media": "0", "price": None, "error_code": None,
        "error_message": None, "uri": f"{API}/Accounts/{account_sid}/Messages/{sid}.json",
    }, status_code=201)


@app.get("/bench/replies")
async def replies(after: int = 0) -> dict[str, Any]:
    """Messages accepted so far (from position `after`): [[monotonic seconds, To], ...]."""
    return {"replies": RECEIVED[after:], "next": len(RECEIVED)}


@app.post("/bench/reset")
async def reset() -> dict[str, int]:
    """Forget what was received (between a baseline and a measured step)."""
    count = len(RECEIVED)
    RECEIVED.clear()
    return {"forgot": count}


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    """Liveness, for the benchmark's start-up wait."""
    return {"status": "ok"}
