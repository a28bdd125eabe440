"""Fixtures for the channel tests: the Twilio simulator served by a real uvicorn on localhost."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from channels.twilio_sms import simulator
from tests.support.sim_server import Hook, Recorder, closed_port, serve

__all__ = ["FakeTwilio", "Hook"]


@dataclass
class FakeTwilio(Recorder):
    """The running simulator: where its API lives and what it called back."""

    @property
    def api_base(self) -> str:
        """What an account's `api_base` must be to talk to the simulator."""
        return self.base_url + "/sim/twilio"


@pytest.fixture(scope="session")
def twilio_server() -> Iterator[FakeTwilio]:
    """One uvicorn serving the simulator on a free localhost port, for the whole session."""
    with serve(simulator.router, FakeTwilio) as fake:
        yield fake


@pytest.fixture
def fake_twilio(twilio_server: FakeTwilio) -> Iterator[FakeTwilio]:
    """The simulator with no messages, faults, accounts or recorded hooks."""
    simulator.reset()
    twilio_server.clear()
    yield twilio_server
    simulator.reset()


@pytest.fixture
def closed_port_url() -> str:
    """An http://127.0.0.1 URL where nothing listens (connection refused)."""
    return closed_port()
