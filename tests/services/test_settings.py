"""Environment rules: anything but an explicit development run is held to production rules."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from services import cli
from services.settings import Environment, Settings, get_settings

REAL_SECRET = secrets.token_hex(32)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No NAGARSETU_* variable from the caller's shell; a private SQLite file."""
    for name in ("NAGARSETU_ENV", "NAGARSETU_SECRET_KEY", "NAGARSETU_SIMULATORS",
                 "NAGARSETU_SEED_DEMO", "REDIS_URL", "NAGARSETU_REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'gateway.db'}")
    get_settings.cache_clear()


def refusal(**values: Any) -> str:
    """The message of the settings refusal for these values."""
    with pytest.raises(ValidationError) as refused:
        Settings(**values)
    return str(refused.value)


def test_unset_environment_is_production_and_refuses_the_placeholder_secret() -> None:
    assert "placeholder_secret" in refusal()
    assert "placeholder_secret" in refusal(database_url="postgresql://db/x", redis_url="redis://r")
    assert Settings(secret_key=REAL_SECRET).env is Environment.PRODUCTION


@pytest.mark.parametrize("env", ["test", "production"])
def test_outside_development_secrets_must_be_real(env: str) -> None:
    assert "placeholder_secret" in refusal(env=env, secret_key="change-me")
    assert "short_secret" in refusal(env=env, secret_key="x" * 31)


@pytest.mark.parametrize("env", [None, "test", "production"])
def test_outside_development_simulators_and_demo_city_are_refused(env: str | None) -> None:
    base: dict[str, Any] = {"secret_key": REAL_SECRET} | ({"env": env} if env else {})
    assert "simulators_outside_development" in refusal(**base, simulators=True)
    assert "seed_demo_outside_development" in refusal(**base, seed_demo=True)
    settings = Settings(**base)
    assert not settings.simulators_enabled
    assert not settings.seed_demo_enabled


def test_development_allows_placeholders_simulators_and_the_demo_city() -> None:
    settings = Settings(env="development")
    assert settings.simulators_enabled and settings.seed_demo_enabled
    off = Settings(env="development", simulators=False, seed_demo=False)
    assert not off.simulators_enabled and not off.seed_demo_enabled


def test_environment_variable_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NAGARSETU_ENV", "development")
    assert get_settings().env is Environment.DEVELOPMENT


def test_frame_ancestors_must_be_a_source_list() -> None:
    assert Settings(env="development", frame_ancestors="'self' https://amritsar.gov.in")
    assert "frame_ancestors" in refusal(env="development", frame_ancestors="x\r\nSet-Cookie: a")
    assert "frame_ancestors" in refusal(env="development", frame_ancestors="'self'; script-src *")


def test_run_without_dev_refuses_to_start_on_the_placeholder(
        monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[str] = []
    monkeypatch.setenv("NAGARSETU_PUBLIC_BASE_URL", "http://127.0.0.1:8765")
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: started.append("uvicorn"))
    result = CliRunner().invoke(cli.app, ["run", "--port", "8765"])
    assert result.exit_code == 2
    assert "placeholder_secret" in result.output
    assert started == []


def test_run_dev_is_an_explicit_development_run(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[Settings] = []
    monkeypatch.setenv("NAGARSETU_ENV", "production")  # restored after the test, as run sets it
    monkeypatch.setenv("NAGARSETU_PUBLIC_BASE_URL", "http://127.0.0.1:8765")
    monkeypatch.setattr("services.bootstrap.prepare", lambda settings: None)
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: started.append(get_settings()))
    result = CliRunner().invoke(cli.app, ["run", "--dev", "--port", "8765"])
    assert result.exit_code == 0, result.output
    assert [s.env for s in started] == [Environment.DEVELOPMENT]
    assert started[0].simulators_enabled and started[0].seed_demo_enabled


def test_the_quick_start_script_runs_in_development() -> None:
    script = (Path(__file__).parents[2] / "dev").read_text()
    assert 'nagarsetu" run --dev "$@"' in script


def test_seed_demo_refuses_outside_development(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NAGARSETU_ENV", "test")
    monkeypatch.setenv("NAGARSETU_SECRET_KEY", REAL_SECRET)
    result = CliRunner().invoke(cli.app, ["seed-demo"])
    assert result.exit_code == 2
    assert "seed_demo_outside_development" in result.output
