"""Fixtures for the WhatsApp tests: the simulator served by a real uvicorn on localhost."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import pytest
import uvicorn
from fastapi import FastAPI, Request, Response

from channels.contract import WebhookRequest
from channels.twilio_whatsapp import simulator


@dataclass(frozen=True)
class Hook:
    """One request the simulator (or a terminal phone) made to our local webhook endpoint."""

    url: str
    headers: dict[str, str]
    body: bytes

    @property
    def form(self) -> dict[str, str]:
        """The form-encoded body as a dict."""
        return dict(parse_qsl(self.body.decode(), keep_blank_values=True))

    def as_request(self) -> WebhookRequest:
        """The hook as the framework-free request an adapter verifies."""
        return WebhookRequest("POST", self.url, self.headers, self.body)


@dataclass
class FakeWhatsApp:
    """The running simulator: where its API lives and what was posted to the local receiver."""

    base_url: str
    hooks: list[Hook] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def api_base(self) -> str:
        """What an account's `api_base` must be to talk to the simulator."""
        return self.base_url + simulator.router.prefix

    def hook_url(self, name: str) -> str:
        """A URL on the local receiver that records what is posted to it."""
        return f"{self.base_url}/hooks/{name}"

    def wait_hooks(self, name: str, count: int, timeout: float = 5.0) -> list[Hook]:
        """Hooks posted to `hook_url(name)`, once at least `count` arrived (fails on timeout)."""
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                got = [h for h in self.hooks if h.url.split("?")[0] == self.hook_url(name)]
            if len(got) >= count:
                return got
            if time.monotonic() > deadline:
                pytest.fail(f"expected {count} webhook(s), got {len(got)}")
            time.sleep(0.01)


def _app(fake: FakeWhatsApp) -> FastAPI:
    """The simulator's router plus a receiver standing in for our webhook endpoints."""
    app = FastAPI()
    app.include_router(simulator.router)

    @app.post("/hooks/{name}")
    async def receive(request: Request) -> Response:
        """Record a posted webhook exactly as it arrived."""
        hook = Hook(str(request.url), dict(request.headers), await request.body())
        with fake.lock:
            fake.hooks.append(hook)
        return Response(status_code=200)

    return app


@pytest.fixture(scope="session")
def whatsapp_server() -> Iterator[FakeWhatsApp]:
    """One uvicorn serving the simulator on a free localhost port, for the whole session."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    fake = FakeWhatsApp(f"http://127.0.0.1:{sock.getsockname()[1]}")
    server = uvicorn.Server(uvicorn.Config(_app(fake), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("simulator did not start")
        time.sleep(0.01)
    yield fake
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture
def fake_whatsapp(whatsapp_server: FakeWhatsApp) -> Iterator[FakeWhatsApp]:
    """The simulator with no messages, faults, accounts, windows or recorded hooks."""
    simulator.reset()
    with whatsapp_server.lock:
        whatsapp_server.hooks.clear()
    yield whatsapp_server
    simulator.reset()

