"""A simulator served by a real uvicorn on localhost, with a receiver for its callbacks."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import pytest
import uvicorn
from fastapi import APIRouter, FastAPI, Request, Response

from channels.contract import WebhookRequest


@dataclass(frozen=True)
class Hook:
    """One request a simulator (or a terminal phone) made to our local webhook receiver."""

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
class SimServer:
    """A running simulator: where it lives and what was posted back to us."""

    base_url: str
    prefix: str
    hooks: list[Hook] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def api_base(self) -> str:
        """What an account's `api_base` must be to talk to the simulator."""
        return self.base_url + self.prefix

    def hook_url(self, name: str) -> str:
        """A URL on the local receiver that records what is posted to it."""
        return f"{self.base_url}/hooks/{name}"

    def clear(self) -> None:
        """Forget recorded hooks."""
        with self.lock:
            self.hooks.clear()

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


def _app(server: SimServer, router: APIRouter) -> FastAPI:
    """The simulator's router plus a receiver standing in for our webhook endpoints."""
    app = FastAPI()
    app.include_router(router)

    @app.post("/hooks/{name}")
    async def receive(request: Request) -> Response:
        """Record a posted webhook exactly as it arrived."""
        hook = Hook(str(request.url), dict(request.headers), await request.body())
        with server.lock:
            server.hooks.append(hook)
        return Response(status_code=200)

    @app.post("/hooks/{name}/status")
    async def receive_status(request: Request, name: str) -> Response:
        """Status hooks under an account-like path."""
        return await receive(request)

    return app


@contextmanager
def serve(router: APIRouter, prefix: str) -> Iterator[SimServer]:
    """Serve a simulator router on a free localhost port until the block ends."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = SimServer(f"http://127.0.0.1:{sock.getsockname()[1]}", prefix)
    config = uvicorn.Config(_app(server, router), log_level="warning", lifespan="off")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not uv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("simulator did not start")
        time.sleep(0.01)
    try:
        yield server
    finally:
        uv.should_exit = True
        thread.join(timeout=10)
        sock.close()


def closed_port() -> str:
    """An http://127.0.0.1 URL where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
