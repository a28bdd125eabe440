"""`nagarsetu audio build`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from services.cli import app
from services.settings import get_settings
from tests.services.audio.conftest import Built

ENV = "NAGARSETU_AUDIO_DIR"


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    """The CLI reads settings once per process; each test here is a new process's worth."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_build_renders_only_what_is_missing(built: Built, tmp_path: Path,
                                            clip_language: str) -> None:
    store = built.copy(tmp_path / "audio")
    store.rendered(clip_language, "digit.4").unlink()
    result = CliRunner().invoke(app, ["audio", "build", "--language", clip_language],
                                env={ENV: str(store.root), "NAGARSETU_ENV": "development"})
    assert result.exit_code == 0, result.output
    assert f"{clip_language}: " in result.output and "1 rendered" in result.output
    assert store.rendered(clip_language, "digit.4").is_file()


def test_build_refuses_a_language_without_catalog(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["audio", "build", "--language", "xx"],
                                env={ENV: str(tmp_path), "NAGARSETU_ENV": "development"})
    assert result.exit_code == 2
    assert "xx" in result.output
