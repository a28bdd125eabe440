"""`nagarsetu payments`: a city connects its gateway account; secrets encrypted, hidden, logged."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from payments.models import GatewayAccount
from services.audit.models import ConfigChange
from services.cli import app
from services.settings import get_settings
from tests.support.gateway import LiveGateway

SECRET = "kS3cr3t-Value-0123456789"
HOOK = "wH00k-Secret-9876543210"


@pytest.fixture
def cli(gateway: LiveGateway, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """The CLI on the live gateway's database and secret."""
    monkeypatch.setenv("DATABASE_URL", gateway.settings.database_url)
    monkeypatch.setenv("NAGARSETU_SECRET_KEY", gateway.settings.secret_key.get_secret_value())
    monkeypatch.setenv("NAGARSETU_ENV", "test")
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_add_list_disable_are_audited_and_never_show_secrets(gateway: LiveGateway,
                                                              cli: CliRunner) -> None:
    added = cli.invoke(app, ["payments", "add", "--tenant", "pb.amritsar", "--key-id",
                             "rzp_live_ABCdef123", "--key-secret", SECRET, "--webhook-secret",
                             HOOK, "--vpa", "amritsarmc@icici", "--payee-name", "MC Amritsar"])
    assert added.exit_code == 0, added.output
    assert "/webhooks/razorpay/" in added.output
    with gateway.ctx.sessions() as db:
        row = db.scalars(select(GatewayAccount).where(GatewayAccount.simulated.is_(False))).one()
        assert SECRET not in row.config_enc and HOOK not in row.config_enc
        assert gateway.ctx.crypto.decrypt_json(row.config_enc)["key_secret"] == SECRET
    listed = cli.invoke(app, ["payments", "list", "--tenant", "pb.amritsar"])
    assert listed.exit_code == 0 and row.id in listed.output
    assert SECRET not in listed.output and HOOK not in listed.output
    assert cli.invoke(app, ["payments", "disable", row.id]).exit_code == 0
    with gateway.ctx.sessions() as db:
        assert not db.get_one(GatewayAccount, row.id).active
        log = db.scalars(select(ConfigChange).where(ConfigChange.key == row.id)
                         .order_by(ConfigChange.at)).all()
        assert [c.action for c in log] == ["create", "update"]
        assert all(SECRET not in str(c.after) and HOOK not in str(c.after) for c in log)
        assert log[0].actor.startswith("cli:")


@pytest.mark.parametrize(("args", "code"), [
    (["--webhook-secret", "", "--vpa", "a@b"], "missing_webhook_secret"),
    (["--webhook-secret", "w", "--vpa", "no-at-sign"], "invalid_vpa"),
])
def test_an_incomplete_account_is_refused(cli: CliRunner, args: list[str], code: str) -> None:
    refused = cli.invoke(app, ["payments", "add", "--tenant", "pb.amritsar", "--key-id", "k",
                               "--key-secret", "s", *args])
    assert refused.exit_code != 0 and code in refused.output
