"""Fixtures for the MSG91 SMS tests: the simulator on a real uvicorn, reset per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from channels.msg91_sms import simulator
from tests.channels.exotel_sms.server import SimServer, serve


@pytest.fixture(scope="session")
def msg91_server() -> Iterator[SimServer]:
    """One uvicorn serving the MSG91 simulator for the whole session."""
    with serve(simulator.router, "/sim/msg91-sms") as server:
        yield server


@pytest.fixture
def fake_msg91(msg91_server: SimServer) -> Iterator[SimServer]:
    """The simulator with no messages, faults, keys, webhooks or recorded hooks."""
    simulator.reset()
    msg91_server.clear()
    yield msg91_server
    simulator.reset()
