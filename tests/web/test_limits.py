"""Body limits per route class (declared or streamed), NUL refusal and the chat's framing rule."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from services.web.framing import FrameAncestors
from services.web.limits import KB, BodyLimit, limit_for
from tests.support.gateway import LiveGateway, free_port, make_settings


def run(call: Coroutine[None, None, httpx.Response]) -> httpx.Response:
    """Run a client coroutine on a loop of its own (the suite's main thread may hold one)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, call).result()


async def echo(scope: Scope, receive: Receive, send: Send) -> None:
    """An app that answers with the size of the body it read."""
    size, more = 0, True
    while more:
        message = await receive()
        size += len(message.get("body", b""))
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": str(size).encode()})


def post(path: str, chunks: list[bytes], declared: bool = True) -> httpx.Response:
    """POST through the middleware, with a Content-Length or streamed without one."""

    async def stream() -> AsyncIterator[bytes]:
        for chunk in chunks:
            yield chunk

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=BodyLimit(echo))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            content = b"".join(chunks) if declared else stream()
            return await client.post(path, content=content)

    return run(call())


def test_route_classes_have_their_own_limits() -> None:
    assert limit_for("/webhooks/twilio-sms/a") == 256 * KB
    assert limit_for("/api/v1/grievances/x/resolve") == 32 * KB
    assert limit_for("/webchat/session") == 16 * KB
    assert limit_for("/elsewhere") == 16 * KB


@pytest.mark.parametrize("declared", [True, False])
def test_over_the_limit_is_413_with_a_code_and_the_app_reads_nothing(declared: bool) -> None:
    chunks = [b"x" * (64 * KB)] * 5
    webhook = post("/webhooks/twilio-sms/a", chunks, declared)
    assert webhook.status_code == 413
    assert webhook.json() == {"error": "payload_too_large", "limit": 256 * KB}
    api = post("/api/v1/grievances/x/resolve", chunks[:1], declared)
    assert api.status_code == 413
    assert api.json() == {"detail": {"code": "payload_too_large", "limit": 32 * KB}}


def test_within_the_limit_the_whole_body_reaches_the_app() -> None:
    chunks = [b"x" * (64 * KB)] * 4
    assert post("/webhooks/twilio-sms/a", chunks, declared=False).text == str(256 * KB)
    assert post("/api/v1/x", [b"{}"]).text == "2"


def test_nul_in_the_url_or_an_api_json_body_is_refused() -> None:
    assert post("/api/v1/grievances/a%00", [b""]).json() == {
        "detail": {"code": "invalid_characters"}}
    assert post("/api/v1/grievances?tenant=%00", [b""]).status_code == 400
    assert post("/api/v1/x", [b'{"note": "a\\u0000"}']).status_code == 400
    assert post("/webhooks/x/y?From=%00", [b""]).json() == {"error": "invalid_characters"}
    assert post("/webhooks/x/y", [b'{"text": "a\\u0000"}']).status_code == 200  # encrypted


def test_the_chat_page_says_who_may_frame_it(tmp_path: Path) -> None:
    port = free_port()
    portal = "'self' https://amritsar.gov.in"
    live = LiveGateway(make_settings(tmp_path, port, frame_ancestors=portal), port).start()
    try:
        policy = live.http.get("/chat").headers["Content-Security-Policy"]
        assert policy.endswith(f"; frame-ancestors {portal}")
        assert policy.count("frame-ancestors") == 1
        assert "frame-ancestors" not in live.http.get("/healthz").headers.get(
            "Content-Security-Policy", "")
    finally:
        live.stop()


def test_frame_ancestors_default_is_self() -> None:
    async def page(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"<html>"})

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=FrameAncestors(page))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await client.get("/chat")

    assert run(call()).headers["Content-Security-Policy"] == "frame-ancestors 'self'"
