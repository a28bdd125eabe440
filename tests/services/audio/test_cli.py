"""`nagarsetu audio build`."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from services.audio.store import ENV
from services.cli import app
from tests.services.audio.conftest import Built


def test_build_renders_only_what_is_missing(built: Built, tmp_path: Path,
                                            clip_language: str) -> None:
    store = built.copy(tmp_path / "audio")
    store.rendered(clip_language, "digit.4").unlink()
    result = CliRunner().invoke(app, ["audio", "build", "--language", clip_language],
                                env={ENV: str(store.root)})
    assert result.exit_code == 0, result.output
    assert f"{clip_language}: " in result.output and "1 rendered" in result.output
    assert store.rendered(clip_language, "digit.4").is_file()


def test_build_refuses_a_language_without_catalog(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["audio", "build", "--language", "xx"],
                                env={ENV: str(tmp_path)})
    assert result.exit_code == 2
    assert "xx" in result.output
