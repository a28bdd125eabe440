"""Fixtures for the Telegram tests: the simulated Bot API served by a real uvicorn on localhost."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi import FastAPI, Request, Response

from channels.telegram import simulator
from tests.channels.telegram.support import FakeTelegram
from tests.support.sim_server import serve_app


def _mount(fake: FakeTelegram, app: FastAPI) -> None:
    """Add a webhook receiver to the simulator's app."""

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


@pytest.fixture(scope="session")
def telegram_server() -> Iterator[FakeTelegram]:
    """One uvicorn serving the simulator on a free localhost port, for the whole session."""
    with serve_app(simulator.router, FakeTelegram, _mount) as fake:
        yield fake


@pytest.fixture
def fake_telegram(telegram_server: FakeTelegram) -> Iterator[FakeTelegram]:
    """The simulator with no messages, faults, files or recorded updates."""
    simulator.reset()
    with telegram_server.lock:
        telegram_server.updates.clear()
    yield telegram_server
    simulator.reset()
