"""Fixtures for places: the CLI on a live gateway's database, the Ludhiana sample files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from services.settings import get_settings
from tests.support.gateway import LiveGateway

SAMPLES = Path(__file__).resolve().parents[3] / "services" / "places" / "samples" / "ludhiana"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def cli(gateway: LiveGateway, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """The CLI pointed at the live gateway's database."""
    monkeypatch.setenv("DATABASE_URL", gateway.settings.database_url)
    monkeypatch.setenv("NAGARSETU_SECRET_KEY", gateway.settings.secret_key.get_secret_value())
    monkeypatch.setenv("NAGARSETU_ENV", "test")
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()
