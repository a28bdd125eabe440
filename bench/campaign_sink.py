"""A cheap Exotel SMS stand-in process for campaign runs: accepts sends, records arrivals.

A bare ASGI app (no framework: the sink must not be what a run measures), served by uvicorn
on its own (``uvicorn bench.campaign_sink:app``). ``POST …/v1/Accounts/{sid}/Sms/send.json``
answers as Exotel does (``{"SMSMessage": {"Sid", "Status": "queued"}}``; 400 without ``To``)
and records ``(CLOCK_MONOTONIC, To)``; ``GET /records?since=N`` hands records out from index N
as JSON; ``POST /reset`` forgets them. No status callbacks (they would add load).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
RECORDS: list[tuple[float, str]] = []


async def _body(receive: Receive) -> bytes:
    """The whole request body."""
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _answer(send: Send, status: int, payload: Any) -> None:
    """A JSON response."""
    body = json.dumps(payload).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """The sink."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    path, method = scope["path"], scope["method"]
    if method == "POST" and path.endswith("/Sms/send.json"):
        form = parse_qs((await _body(receive)).decode())
        to = (form.get("To") or [""])[0]
        if not to:
            await _answer(send, 400, {"RestException": {"Code": "21211", "Status": 400}})
            return
        RECORDS.append((time.monotonic(), to))
        await _answer(send, 200, {"SMSMessage": {"Sid": uuid.uuid4().hex, "Status": "queued"}})
    elif method == "GET" and path == "/records":
        since = int((parse_qs(scope.get("query_string", b"").decode()).get("since") or ["0"])[0])
        await _answer(send, 200, RECORDS[since:since + 200_000])
    elif method == "POST" and path == "/reset":
        await _body(receive)
        RECORDS.clear()
        await _answer(send, 200, {"ok": True})
    else:
        await _answer(send, 404, {"RestException": {"Code": "20404", "Status": 404}})
