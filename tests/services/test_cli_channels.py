"""`nagarsetu channels`: a ULB connects a provider account without code; secrets stay hidden."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from services.accounts.models import ChannelAccount
from services.cli import app
from services.settings import get_settings
from tests.support.gateway import LiveGateway

TOKEN = "7123456789:AAHk3Jx9Qm2Lr8Tz5Vb1Nc4Wd7Ye0Fg6Hu3"


@pytest.fixture
def cli(gateway: LiveGateway, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """The CLI on the live gateway's database and secret."""
    monkeypatch.setenv("DATABASE_URL", gateway.settings.database_url)
    monkeypatch.setenv("NAGARSETU_SECRET_KEY", gateway.settings.secret_key.get_secret_value())
    monkeypatch.setenv("NAGARSETU_ENV", "test")
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_add_list_disable(gateway: LiveGateway, cli: CliRunner) -> None:
    added = cli.invoke(app, ["channels", "add", "--tenant", "pb.amritsar", "--type", "telegram",
                             "--set", f"bot_token={TOKEN}", "--set", "secret_token=s3cr3t-value",
                             "--set", "address=AmritsarBot", "--name", "City bot"])
    assert added.exit_code == 0, added.output
    assert "/webhooks/telegram/" in added.output
    with gateway.ctx.sessions() as db:
        row = db.query(ChannelAccount).filter_by(channel_type="telegram", simulated=False).one()
        assert TOKEN not in row.config_enc  # encrypted at rest
        assert gateway.ctx.crypto.decrypt_json(row.config_enc)["bot_token"] == TOKEN
    listed = cli.invoke(app, ["channels", "list", "--tenant", "pb.amritsar"])
    assert listed.exit_code == 0
    assert row.id in listed.output
    assert TOKEN not in listed.output and "s3cr3t-value" not in listed.output
    assert cli.invoke(app, ["channels", "disable", row.id]).exit_code == 0
    with gateway.ctx.sessions() as db:
        assert not db.get_one(ChannelAccount, row.id).active


@pytest.mark.parametrize("args", [
    ["--type", "fax", "--set", "a=b"],
    ["--type", "telegram", "--set", "address=x"],  # bot_token and secret_token missing
    ["--type", "telegram", "--set", "oops"],
])
def test_bad_accounts_are_refused(cli: CliRunner, args: list[str]) -> None:
    result = cli.invoke(app, ["channels", "add", "--tenant", "pb.amritsar", *args])
    assert result.exit_code != 0
