"""Fixtures for the Telegram tests: the simulated Bot API served by a real uvicorn on localhost."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from fastapi import FastAPI, Request, Response

from channels.telegram import simulator
from tests.channels.telegram.support import FakeTelegram


def _app(fake: FakeTelegram) -> FastAPI:
    """The simulator's router plus a webhook receiver."""
    app = FastAPI()
    app.include_router(simulator.router)

    @app.post("/hooks/telegram")
    async def receive(request: Request) -> Response:
        """Record an Update and answer a button press the way the adapter does."""
        update = json.loads(await request.body())
        with fake.lock:
            fake.updates.append((dict(request.headers), update))
        if "callback_query" in update:
            answer = {"method": "answerCallbackQuery",
                      "callback_query_id": update["callback_query"]["id"]}
            return Response(json.dumps(answer), media_type="application/json")
        return Response(status_code=200)

    return app


@pytest.fixture(scope="session")
def telegram_server() -> Iterator[FakeTelegram]:
    """One uvicorn serving the simulator on a free localhost port, for the whole session."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    fake = FakeTelegram(f"http://127.0.0.1:{sock.getsockname()[1]}")
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
def fake_telegram(telegram_server: FakeTelegram) -> Iterator[FakeTelegram]:
    """The simulator with no messages, faults, files or recorded updates."""
    simulator.reset()
    with telegram_server.lock:
        telegram_server.updates.clear()
    yield telegram_server
    simulator.reset()
