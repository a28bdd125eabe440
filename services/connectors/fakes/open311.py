"""A fake Open311 GeoReport v2 server built from the specification, for tests and the demo.

JSON format: `GET /services.json`, `POST /requests.json` (form-encoded, `api_key`,
`service_code`, `lat`+`long` or `address_string`), `GET /requests.json` (comma-separated
`service_request_id`, `service_code`, `start_date`, `end_date`, `status`),
`GET /requests/{id}.json`, `GET /tokens/{token}.json`; errors as `[{code, description}]`.
Knobs under `/_fake/`: `down`, `fail_creates`, `lose_answers` (stored, then 504),
`tokens` (answer a create with a token, as servers that queue requests do), `close`
(the server's staff close a request with notes). Run it alone with
`python -m services.connectors.fakes.open311 --port 8312` (API key `fake-key`).
"""

from __future__ import annotations

import os
import threading
import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.connectors.fakes.outage import install_outage
from services.connectors.fakes.serve import run

SERVICES = [
    {"service_code": "streetlight", "service_name": "Street light not working",
     "description": "", "metadata": False, "type": "realtime", "keywords": "light",
     "group": "electrical"},
    {"service_code": "garbage", "service_name": "Garbage not collected", "description": "",
     "metadata": False, "type": "realtime", "keywords": "waste", "group": "sanitation"},
    {"service_code": "pothole", "service_name": "Pothole", "description": "",
     "metadata": False, "type": "realtime", "keywords": "road", "group": "roads"},
]


def stamp() -> str:
    """Now as a w3 datetime."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def fail(status: int, description: str) -> JSONResponse:
    """GeoReport's error list."""
    return JSONResponse([{"code": status, "description": description}], status_code=status)


class FakeOpen311:
    """The server's state."""

    def __init__(self, api_key: str = "fake-key") -> None:
        self.api_key = api_key
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """No requests, no knobs."""
        self.requests: dict[str, dict[str, Any]] = {}
        self.tokens: dict[str, str | None] = {}
        self.counter = 638000
        self.creates = 0
        self.knobs: dict[str, Any] = {"down": False, "fail_creates": 0, "lose_answers": 0,
                                      "tokens": False}


def make_app(fake: FakeOpen311 | None = None) -> FastAPI:
    """The fake's HTTP API."""
    state = fake or FakeOpen311(os.environ.get("FAKE_OPEN311_KEY", "fake-key"))
    app = FastAPI(title="Fake Open311", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.fake = state

    install_outage(app, lambda: state.knobs, "unavailable")

    @app.get("/services.json")
    async def services() -> Any:
        return SERVICES

    @app.post("/requests.json")
    async def create(request: Request) -> Any:
        form = await request.form()
        if form.get("api_key") != state.api_key:
            return fail(403, "api_key is missing or wrong")
        code = str(form.get("service_code") or "")
        if code not in {s["service_code"] for s in SERVICES}:
            return fail(400, "service_code not found")
        lat, long, address = form.get("lat"), form.get("long"), form.get("address_string")
        if not ((lat and long) or address):
            return fail(400, "lat and long, address_string or address_id required")
        with state.lock:
            state.creates += 1
            if state.knobs["fail_creates"] > 0:
                state.knobs["fail_creates"] -= 1
                return JSONResponse({"message": "busy"}, status_code=503)
            state.counter += 1
            request_id = str(state.counter)
            state.requests[request_id] = {
                "service_request_id": request_id, "status": "open", "status_notes": None,
                "service_name": next(s["service_name"] for s in SERVICES
                                     if s["service_code"] == code),
                "service_code": code, "description": str(form.get("description") or ""),
                "agency_responsible": None, "service_notice": None,
                "requested_datetime": stamp(), "updated_datetime": stamp(),
                "expected_datetime": None, "address": str(address or "") or None,
                "address_id": None, "zipcode": None,
                "lat": float(str(lat)) if lat else None,
                "long": float(str(long)) if long else None, "media_url": None}
            if state.knobs["lose_answers"] > 0:
                state.knobs["lose_answers"] -= 1
                return JSONResponse({"message": "gateway timeout"}, status_code=504)
            if state.knobs["tokens"]:
                token = uuid.uuid4().hex
                state.tokens[token] = request_id
                return [{"token": token}]
        return [{"service_request_id": request_id, "service_notice": "", "account_id": None}]

    @app.get("/requests.json")
    async def search(request: Request) -> Any:
        params = request.query_params
        ids = [i for i in (params.get("service_request_id") or "").split(",") if i]
        found = []
        for item in state.requests.values():
            if ids and item["service_request_id"] not in ids:
                continue
            if params.get("service_code") and item["service_code"] not in \
                    params["service_code"].split(","):
                continue
            if params.get("status") and item["status"] != params["status"]:
                continue
            made = datetime.fromisoformat(item["requested_datetime"])
            if params.get("start_date") and made < datetime.fromisoformat(params["start_date"]):
                continue
            if params.get("end_date") and made > datetime.fromisoformat(params["end_date"]):
                continue
            found.append(item)
        return sorted(found, key=lambda i: i["requested_datetime"], reverse=True)[:1000]

    @app.get("/requests/{request_id}.json")
    async def one(request_id: str) -> Any:
        item = state.requests.get(request_id)
        return [item] if item else fail(404, "request not found")

    @app.get("/tokens/{token}.json")
    async def token(token: str) -> Any:
        if token not in state.tokens:
            return fail(404, "token not found")
        return [{"service_request_id": state.tokens[token], "token": token}]

    @app.post("/_fake/reset")
    async def reset() -> dict[str, str]:
        state.reset()
        return {"status": "ok"}

    @app.post("/_fake/knobs")
    async def knobs(request: Request) -> dict[str, Any]:
        state.knobs.update(await request.json())
        return dict(state.knobs)

    @app.get("/_fake/state")
    async def inspect() -> dict[str, Any]:
        return {"requests": list(state.requests.values()), "creates": state.creates}

    @app.post("/_fake/close")
    async def close(request: Request) -> Any:
        """The server's own staff close a request."""
        body = await request.json()
        item = state.requests.get(str(body.get("service_request_id")))
        if item is None:
            return JSONResponse({"error": "no such request"}, status_code=404)
        item.update(status="closed", status_notes=body.get("status_notes"),
                    updated_datetime=stamp())
        return item

    return app


app = make_app()

if __name__ == "__main__":
    run(app, "A fake Open311 GeoReport v2 server")
