"""The fake Graph API served by a real uvicorn on localhost, with a webhook receiver."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import uvicorn
from fastapi import FastAPI, Request, Response

from channels.contract import WebhookRequest
from channels.errors import WebhookRejected
from channels.whatsapp_cloud import simulator
from channels.whatsapp_cloud.adapter import Adapter


@dataclass(frozen=True)
class Hook:
    """One request posted to the local webhook receiver, exactly as it arrived."""

    url: str
    headers: dict[str, str]
    body: bytes

    def as_request(self) -> WebhookRequest:
        """The hook as the framework-free request an adapter verifies."""
        return WebhookRequest("POST", self.url, self.headers, self.body)


@dataclass
class FakeMeta:
    """The running simulator: where it lives, what it posted, who answers handshakes."""

    base_url: str
    hooks: list[Hook] = field(default_factory=list)
    verifiers: dict[str, Adapter] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def graph_base(self) -> str:
        """What an account's `graph_base` must be to talk to the simulator."""
        return self.base_url + simulator.PREFIX

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


def _app(fake: FakeMeta) -> FastAPI:
    """The simulator's router plus a receiver standing in for the gateway's webhook route."""
    app = FastAPI()
    app.include_router(simulator.router)

    @app.post("/hooks/{name}")
    async def receive(request: Request) -> Response:
        """Record a posted webhook exactly as it arrived."""
        hook = Hook(str(request.url), dict(request.headers), await request.body())
        with fake.lock:
            fake.hooks.append(hook)
        return Response(status_code=200)

    @app.get("/hooks/{name}")
    def handshake(name: str, request: Request) -> Response:
        """The GET route the gateway needs: hand the query to the adapter's verifier."""
        adapter = fake.verifiers.get(name)
        if adapter is None:
            return Response(status_code=404)
        try:
            answer = adapter.verify_subscription(dict(request.query_params))
        except WebhookRejected as exc:
            return Response(exc.code, status_code=exc.http_status)
        return Response(answer.body, status_code=answer.status, media_type=answer.media_type)

    return app


@pytest.fixture(scope="session")
def meta_server() -> Iterator[FakeMeta]:
    """One uvicorn serving the simulator on a free localhost port, for the whole session."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    fake = FakeMeta(f"http://127.0.0.1:{sock.getsockname()[1]}")
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
def fake_meta(meta_server: FakeMeta) -> Iterator[FakeMeta]:
    """The simulator with no messages, faults, apps, media or recorded hooks."""
    simulator.reset()
    with meta_server.lock:
        meta_server.hooks.clear()
        meta_server.verifiers.clear()
    yield meta_server
    simulator.reset()
