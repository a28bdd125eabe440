"""A channel simulator served by a real uvicorn on localhost, with a receiver for its webhooks."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar
from urllib.parse import parse_qsl

import pytest
import uvicorn
from fastapi import APIRouter, FastAPI, Request, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from channels.contract import WebhookRequest

T = TypeVar("T")
R = TypeVar("R", bound="Recorder")


@dataclass(frozen=True)
class Hook:
    """One request a simulator (or a terminal phone) made to our local webhook receiver."""

    url: str
    headers: dict[str, str]
    body: bytes
    method: str = "POST"

    @property
    def form(self) -> dict[str, str]:
        """The form-encoded body as a dict."""
        return dict(parse_qsl(self.body.decode(), keep_blank_values=True))

    def as_request(self) -> WebhookRequest:
        """The hook as the framework-free request an adapter verifies."""
        return WebhookRequest(self.method, self.url, self.headers, self.body)


@dataclass
class Recorder:
    """A running simulator: where it lives and what was posted to the local receiver."""

    base_url: str
    hooks: list[Hook] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

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

    async def record(self, request: Request) -> Response:
        """Record a posted webhook exactly as it arrived."""
        hook = Hook(str(request.url), dict(request.headers), await request.body(),
                    request.method)
        with self.lock:
            self.hooks.append(hook)
        return Response(status_code=200)

    def mount(self, app: FastAPI) -> None:
        """Add the receiver's routes (subclasses add more) to the app."""
        app.add_api_route("/hooks/{name}", self.record, methods=["POST"])


@dataclass
class Connections:
    """The client port each request to a local test server came from: one port, one
    kept-alive connection (so tests can tell pooled clients from one-off ones)."""

    seen: list[tuple[str, int]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, path: str, port: int) -> None:
        """Record one request."""
        with self.lock:
            self.seen.append((path, port))

    def clear(self) -> None:
        """Forget what was recorded."""
        with self.lock:
            self.seen.clear()

    def ports(self, path_prefix: str) -> list[int]:
        """The client port of each request whose path starts with `path_prefix`, in order."""
        with self.lock:
            return [port for path, port in self.seen if path.startswith(path_prefix)]


CONNECTIONS = Connections()
"""Every local test server in this process records into this."""


class _PeerLog:
    """ASGI middleware: note the client port of every HTTP request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Record, then pass the request on."""
        client = scope.get("client")
        if scope["type"] == "http" and client:
            CONNECTIONS.add(str(scope["path"]), int(client[1]))
        await self.app(scope, receive, send)


@contextmanager
def serve_app(router: APIRouter, make: Callable[[str], T],
              mount: Callable[[T, FastAPI], None]) -> Iterator[T]:
    """Serve `router` plus `mount`'s routes on a free localhost port until the block ends."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    fake = make(f"http://127.0.0.1:{sock.getsockname()[1]}")
    app = FastAPI()
    app.include_router(router)
    mount(fake, app)
    app.add_middleware(_PeerLog)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("simulator did not start")
            time.sleep(0.01)
        yield fake
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@contextmanager
def serve(router: APIRouter, make: Callable[[str], R]) -> Iterator[R]:
    """Serve `router` plus the recorder's webhook receiver on a free localhost port."""
    with serve_app(router, make, lambda fake, app: fake.mount(app)) as fake:
        yield fake


def closed_port() -> str:
    """An http://127.0.0.1 URL where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
