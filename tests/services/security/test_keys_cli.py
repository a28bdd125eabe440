"""`nagarsetu keys status` and `keys rotate` on a configured database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from services.cli import app
from services.security.crypto import Crypto
from services.settings import Settings, get_settings

NEW = "k2:" + "the-new-secret-after-rotation-0123456789"


@pytest.fixture
def env(settings: Settings) -> Iterator[dict[str, str | None]]:
    """The environment of an operator whose ring has the new key first and the old one kept."""
    get_settings.cache_clear()
    yield {"DATABASE_URL": settings.database_url, "NAGARSETU_ENV": "test", "REDIS_URL": None,
           "NAGARSETU_SECRET_KEY": f"{NEW},{settings.secret_key.get_secret_value()}"}
    get_settings.cache_clear()


def test_status_then_rotate_then_nothing_pending(env: dict[str, str | None]) -> None:
    """Status names key ids (never secrets) and what waits; rotate reports per table."""
    runner = CliRunner(env=env)
    status = runner.invoke(app, ["keys", "status"])
    assert status.exit_code == 0, status.output
    assert "keys: k2, (unversioned); current k2" in status.output
    assert "the-new-secret" not in status.output
    pending = int(status.output.split("channel_accounts\t")[1].split()[0])
    assert pending > 0
    rotated = runner.invoke(app, ["keys", "rotate", "--batch-size", "3"])
    assert rotated.exit_code == 0, rotated.output
    assert f"channel_accounts\trotated {pending}\tfailed 0" in rotated.output
    get_settings.cache_clear()
    after = runner.invoke(app, ["keys", "status"])
    assert "channel_accounts\t0 pending" in after.output and "contacts\t0 pending" in after.output


def test_a_malformed_ring_is_a_clear_cli_error(env: dict[str, str | None]) -> None:
    runner = CliRunner(env={**env, "NAGARSETU_SECRET_KEY": f"{NEW},{NEW}"})
    result = runner.invoke(app, ["keys", "status"])
    assert result.exit_code != 0 and "duplicate_key_id" in result.output


def test_the_gateway_key_ring_reads_what_rotation_wrote(env: dict[str, str | None],
                                                        settings: Settings) -> None:
    """After rotating, the new key alone reads the channel credentials."""
    runner = CliRunner(env=env)
    assert runner.invoke(app, ["keys", "rotate"]).exit_code == 0
    from services.accounts.models import ChannelAccount
    from services.db.engine import make_engine, make_sessionmaker

    engine = make_engine(settings.database_url)
    with make_sessionmaker(engine)() as db:
        configs = [Crypto(NEW).decrypt_json(a.config_enc) for a in db.query(ChannelAccount)]
    engine.dispose()
    assert configs and all(isinstance(c, dict) for c in configs)

