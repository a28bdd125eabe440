"""`nagarsetu finance`: imports with progress (the same file twice changes nothing), holidays,
reconciliation, resolving and reports, on the live gateway's database; every change logged."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import openpyxl  # type: ignore[import-untyped]
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from payments.recon.models import ReconException
from services.audit.models import ConfigChange
from services.cli import app
from services.settings import get_settings
from tests.payments.recon.support import BANK_MAPPING, bank_csv
from tests.payments.recon.test_imports import HELD, PAY1, _report
from tests.support.gateway import LiveGateway


@pytest.fixture
def cli(gateway: LiveGateway, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """The CLI on the live gateway's database and secret."""
    monkeypatch.setenv("DATABASE_URL", gateway.settings.database_url)
    monkeypatch.setenv("NAGARSETU_SECRET_KEY", gateway.settings.secret_key.get_secret_value())
    monkeypatch.setenv("NAGARSETU_ENV", "test")
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_finance_commands(gateway: LiveGateway, cli: CliRunner, tmp_path: Path) -> None:
    city = ["--tenant", "pb.amritsar"]
    report = tmp_path / "nov.csv"
    report.write_bytes(_report(PAY1, HELD))
    first = cli.invoke(app, ["finance", "import-settlements", *city, "--file", str(report)])
    assert first.exit_code == 0, first.output
    assert "2 rows, 2 new, 0 updated, 0 bad" in first.output
    again = cli.invoke(app, ["finance", "import-settlements", *city, "--file", str(report)])
    assert again.exit_code == 0 and "already imported" in again.output
    mapped = cli.invoke(app, ["finance", "set-mapping", "--tenant", "pb", "--name", "sbi",
                              "--columns", json.dumps(BANK_MAPPING)])
    assert mapped.exit_code == 0, mapped.output
    statement = tmp_path / "bank.csv"
    statement.write_bytes(bank_csv([
        ("23 Nov 2026", "NEFT CR-RAZORPAY-UTR9ZZZZ9999YYYY", "", "", "980.00", "980.00"),
        ("24 Nov 2026", "BAD", "", "", "x", "1.00")]))
    bank = cli.invoke(app, ["finance", "import-bank", *city, "--mapping", "sbi", "--file",
                            str(statement)])
    assert bank.exit_code == 0, bank.output
    assert "2 rows, 1 new" in bank.output and "line 5: invalid_amount credit" in bank.output
    holiday = cli.invoke(app, ["finance", "add-holiday", "--scope", "pb", "--day",
                               "2026-11-24", "--name", "Martyrdom day"])
    assert holiday.exit_code == 0 and "added" in holiday.output
    ran = cli.invoke(app, ["finance", "reconcile", *city, "--as-of", "2026-11-27"])
    assert ran.exit_code == 0, ran.output
    assert "payment_without_bill: 2 open" in ran.output and "on_hold: 1 open" in ran.output
    listed = cli.invoke(app, ["finance", "exceptions", *city, "--kind", "on_hold"])
    exception_id = listed.output.split("\t")[0]
    done = cli.invoke(app, ["finance", "resolve", exception_id, *city, "--note",
                            "released by Razorpay on 28 Nov"])
    assert done.exit_code == 0, done.output
    out = tmp_path / "settlements.xlsx"
    written = cli.invoke(app, ["finance", "report", "settlements", *city, "--from",
                               "2026-11-01", "--to", "2026-11-30", "--out", str(out)])
    assert written.exit_code == 0, written.output
    rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    assert rows[1][:4] == ("setl_9", "UTR9ZZZZ9999YYYY", "2026-11-23", 1)
    assert float(rows[1][rows[0].index("bank_credit")]) == 980.00
    with gateway.ctx.sessions() as db:
        row = db.get(ReconException, exception_id)
        assert row is not None and row.status == "resolved" and row.resolved_by
        actions = {(c.entity, c.action) for c in db.scalars(select(ConfigChange))}
    assert {("bank_mapping", "create"), ("bank_holiday", "create"),
            ("recon_exception", "resolve")} <= actions
