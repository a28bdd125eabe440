"""Request limits enforced before any route runs: body size per route class, no NUL characters.

A body over its route's limit is answered 413 `{"detail": {"code": "payload_too_large"}}`
(`{"error": "payload_too_large"}` on webhook routes, as providers are answered there), whether
it declares a Content-Length or streams in chunks; nothing of it reaches a handler.
A NUL in the URL, or escaped in a JSON body of the API or the web chat, is answered 400
`invalid_characters`: PostgreSQL refuses NUL in text, which made such requests fail with a 500.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

KB = 1024
LIMITS: tuple[tuple[str, int], ...] = (
    ("/webhooks/", 256 * KB),  # a WhatsApp notification batching many messages stays far below
    ("/bbps/", 256 * KB),  # a BBPS aggregator's settlement notices for many bills
    ("/webchat/photos/", 10 * 1024 * KB),  # a web chat photo (also NAGARSETU_MEDIA_MAX_BYTES)
    ("/webchat/", 16 * KB),
    ("/api/v1/places/", 8 * 1024 * KB),  # a city's ward polygons (services.places.formats)
    ("/open311/", 64 * KB),  # a 4,000-character description, percent-encoded Devanagari
    ("/api/v1/finance/imports/", 20 * 1024 * KB),  # a month's settlement or bank CSV
    ("/api/v1/campaigns/", 48 * 1024 * KB),  # an audience CSV: a million rows, about 40 MB
    ("/api/", 32 * KB),  # a 2,000-character note in \\u escapes is 12 KB
    ("/sim/", 8 * 1024 * KB),  # development only: the simulators take media uploads
)
DEFAULT_LIMIT = 16 * KB
CODE = "payload_too_large"
NUL_CHECKED = ("/api/", "/webchat/")
"""Paths whose JSON bodies may not carry an escaped NUL (their strings reach SQL in clear)."""


def limit_for(path: str, limits: Sequence[tuple[str, int]] = LIMITS) -> int:
    """The body limit in bytes of the route class a path belongs to."""
    return next((size for prefix, size in limits if path.startswith(prefix)), DEFAULT_LIMIT)


class BodyLimit:
    """ASGI middleware: buffer the body up to the route's limit, or answer 413."""

    def __init__(self, app: ASGIApp, limits: Sequence[tuple[str, int]] = LIMITS) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on with its body replayed, unless it is too large."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if has_nul(scope):
            await refuse(send, scope, 400, {"code": "invalid_characters"})
            return
        limit = limit_for(scope["path"], self.limits)
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await refuse(send, scope, 413, {"code": CODE, "limit": limit})
            return
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > limit:
                await refuse(send, scope, 413, {"code": CODE, "limit": limit})
                return
            if not message.get("more_body", False):
                break
        if scope["path"].startswith(NUL_CHECKED) and any(
                b"\\u0000" in m.get("body", b"") for m in messages):
            await refuse(send, scope, 400, {"code": "invalid_characters"})
            return

        async def replay() -> Message:
            """The buffered messages in order, then whatever the client sends next."""
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)


def has_nul(scope: Scope) -> bool:
    """Whether the path or the query string holds a NUL, raw or percent-encoded."""
    raw = scope.get("raw_path") or scope["path"].encode()
    query: bytes = scope.get("query_string", b"")
    return any(b"\x00" in part or b"%00" in part for part in (raw, query, scope["path"].encode()))


async def refuse(send: Send, scope: Scope, status: int, detail: dict[str, object]) -> None:
    """Answer an error without running the app, in the shape of the route class: providers get
    `{"error": code, ...}` as from the webhook route, everyone else `{"detail": {...}}`."""
    shaped = ({"error": detail.pop("code"), **detail} if scope["path"].startswith("/webhooks/")
              else {"detail": detail})
    body = json.dumps(shaped).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
