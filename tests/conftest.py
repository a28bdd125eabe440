"""Fixtures shared by the whole suite: a live gateway with the demo city and a citizen's phone."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.support.gateway import LiveGateway, SmsPhone, free_port, make_settings
from tests.support.services import postgres_database


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[LiveGateway]:
    """A running embedded gateway (SQLite, in-process runner, simulators, demo city)."""
    port = free_port()
    live = LiveGateway(make_settings(tmp_path, port), port).start()
    yield live
    live.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def live(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveGateway]:
    """A development gateway on SQLite, and again on a fresh PostgreSQL database."""
    port = free_port()
    with ExitStack() as stack:
        extra = ({} if request.param == "sqlite"
                 else {"database_url": stack.enter_context(postgres_database())})
        live = LiveGateway(make_settings(tmp_path, port, **extra), port).start()
        yield live
        live.stop()


@pytest.fixture
def phone(gateway: LiveGateway) -> SmsPhone:
    """A fresh citizen's phone number talking to the gateway by SMS."""
    return SmsPhone(gateway)
