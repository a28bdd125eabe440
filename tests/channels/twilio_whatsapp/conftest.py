"""Fixtures for the WhatsApp tests: the simulator served by a real uvicorn on localhost."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from channels.twilio_whatsapp import simulator
from tests.support.sim_server import Hook, Recorder, serve

__all__ = ["FakeWhatsApp", "Hook"]


@dataclass
class FakeWhatsApp(Recorder):
    """The running simulator: where its API lives and what was posted to the local receiver."""

    @property
    def api_base(self) -> str:
        """What an account's `api_base` must be to talk to the simulator."""
        return self.base_url + simulator.router.prefix


@pytest.fixture(scope="session")
def whatsapp_server() -> Iterator[FakeWhatsApp]:
    """One uvicorn serving the simulator on a free localhost port, for the whole session."""
    with serve(simulator.router, FakeWhatsApp) as fake:
        yield fake


@pytest.fixture
def fake_whatsapp(whatsapp_server: FakeWhatsApp) -> Iterator[FakeWhatsApp]:
    """The simulator with no messages, faults, accounts, windows or recorded hooks."""
    simulator.reset()
    whatsapp_server.clear()
    yield whatsapp_server
    simulator.reset()
