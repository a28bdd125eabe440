"""Fixtures for the Exotel SMS tests: the simulator on a real uvicorn, reset per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from channels.exotel_sms import simulator
from tests.channels.exotel_sms.server import SimServer, serve


@pytest.fixture(scope="session")
def exotel_server() -> Iterator[SimServer]:
    """One uvicorn serving the Exotel simulator for the whole session."""
    with serve(simulator.router, "/sim/exotel-sms") as server:
        yield server


@pytest.fixture
def fake_exotel(exotel_server: SimServer) -> Iterator[SimServer]:
    """The simulator with no messages, faults, accounts, templates or recorded hooks."""
    simulator.reset()
    exotel_server.clear()
    yield exotel_server
    simulator.reset()
