"""`nagarsetu payments bbps`: billers configured with secrets encrypted, hidden and logged;
the simulated aggregator run against a live gateway; `payments refunds list`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from payments.bbps.models import BbpsBiller, BbpsPayment
from services.audit.models import ConfigChange
from services.cli import app
from services.settings import get_settings
from tests.support.gateway import LiveGateway

SECRET = "jwt-Shared-Secret-0123456789"


@pytest.fixture
def cli(gateway: LiveGateway, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """The CLI on the live gateway's database, secret and address."""
    monkeypatch.setenv("DATABASE_URL", gateway.settings.database_url)
    monkeypatch.setenv("NAGARSETU_SECRET_KEY", gateway.settings.secret_key.get_secret_value())
    monkeypatch.setenv("NAGARSETU_ENV", "test")
    monkeypatch.setenv("NAGARSETU_PUBLIC_BASE_URL", gateway.base_url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_add_list_disable_are_audited_and_never_show_secrets(gateway: LiveGateway,
                                                              cli: CliRunner) -> None:
    added = cli.invoke(app, ["payments", "bbps", "add", "--tenant", "pb.amritsar",
                             "--service", "sewerage", "--allow-ip", "203.0.113.0/28",
                             "--allow-ip", "198.51.100.7", "--scheme-id", "scheme-42",
                             "--secret", SECRET])
    assert added.exit_code == 0, added.output
    assert "/bbps/" in added.output and "EXACT" in added.output
    with gateway.ctx.sessions() as db:
        row = db.scalars(select(BbpsBiller).where(BbpsBiller.service == "sewerage")).one()
        assert SECRET not in row.config_enc
        assert row.allowed_ips == ["203.0.113.0/28", "198.51.100.7/32"]
    listed = cli.invoke(app, ["payments", "bbps", "list", "--tenant", "pb.amritsar"])
    assert listed.exit_code == 0 and row.id in listed.output and SECRET not in listed.output
    again = cli.invoke(app, ["payments", "bbps", "add", "--tenant", "pb.amritsar",
                             "--service", "sewerage", "--allow-ip", "10.0.0.1",
                             "--scheme-id", "s", "--secret", SECRET])
    assert again.exit_code != 0 and "biller_exists" in again.output
    assert cli.invoke(app, ["payments", "bbps", "disable", row.id]).exit_code == 0
    with gateway.ctx.sessions() as db:
        log = db.scalars(select(ConfigChange).where(ConfigChange.key == row.id)
                         .order_by(ConfigChange.at)).all()
        assert [c.action for c in log] == ["create", "update"]
        assert all(SECRET not in str(c.after) for c in log)
        assert log[0].actor.startswith("cli:")


@pytest.mark.parametrize(("args", "code"), [
    (["--allow-ip", "not-an-ip", "--scheme-id", "s", "--secret", SECRET], "invalid_ip"),
    (["--allow-ip", "10.0.0.1", "--scheme-id", "s", "--secret", "short"], "missing_secret"),
    (["--allow-ip", "10.0.0.1", "--scheme-id", "s", "--secret", SECRET, "--exactness",
      "ANY"], "unsupported_exactness"),
])
def test_a_bad_biller_is_refused(cli: CliRunner, args: list[str], code: str) -> None:
    refused = cli.invoke(app, ["payments", "bbps", "add", "--tenant", "pb.amritsar",
                               "--service", "trade_licence", *args])
    assert refused.exit_code != 0 and code in refused.output


def test_the_simulated_aggregator_pays_a_demo_bill(gateway: LiveGateway,
                                                   cli: CliRunner) -> None:
    run = cli.invoke(app, ["payments", "bbps", "simulate", "--consumer", "2301009981",
                           "--resend", "2"])
    assert run.exit_code == 0, run.output
    assert "fetch 200" in run.output and "AVAILABLE" in run.output
    assert run.output.count('"receipt"') == 3 and "notifications 200" in run.output
    with gateway.ctx.sessions() as db:
        [posted] = db.scalars(select(BbpsPayment)).all()
        assert posted.status == "accepted"
        db.execute(update(BbpsBiller).values(active=False))
        db.commit()
    refunds = cli.invoke(app, ["payments", "refunds", "list", "--tenant", "pb.amritsar"])
    assert refunds.exit_code == 0 and refunds.output.startswith("id\tpayment")
