"""`nagarsetu campaigns`: create, preview, approval by someone else, start, follow, report."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from services.cli import app
from services.settings import get_settings
from tests.services.campaigns.test_api import PEOPLE, sms_account, spec
from tests.support.gateway import LiveGateway


@pytest.fixture
def cli(gateway: LiveGateway, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """The CLI pointed at the live gateway's database."""
    monkeypatch.setenv("DATABASE_URL", gateway.settings.database_url)
    monkeypatch.setenv("NAGARSETU_SECRET_KEY", gateway.settings.secret_key.get_secret_value())
    monkeypatch.setenv("NAGARSETU_ENV", "test")
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_a_campaign_by_command_line(gateway: LiveGateway, cli: CliRunner, tmp_path: Path
                                    ) -> None:
    body = spec(sms_account(gateway))
    (tmp_path / "spec.json").write_text(json.dumps(body), encoding="utf-8")
    rows = [f"{p['phone']},{p['language']},{p['name']},Ward 7" for p in PEOPLE]
    (tmp_path / "people.csv").write_text("\n".join(["phone,language,name,ward", *rows,
                                                    "12345,en,Bad,Ward 7"]), encoding="utf-8")
    assert cli.invoke(app, ["campaigns", "threshold", "pb.amritsar", "2"]).exit_code == 0
    made = cli.invoke(app, ["campaigns", "create", "pb.amritsar", "--spec",
                            str(tmp_path / "spec.json"), "--csv",
                            str(tmp_path / "people.csv"), "--as", "cli:asha"])
    assert made.exit_code == 0, made.output
    lines = made.output.splitlines()
    assert lines[:2] == ["line 5: duplicate", "line 6: invalid_phone"]
    campaign = lines[-1].split()[0]
    assert "3 recipients" in lines[-1] and "duplicates 1" in lines[-1]
    assert "'invalid_phone': 1" in lines[-1]
    added = cli.invoke(app, ["campaigns", "add", campaign, "--ward", "W99"])
    assert added.exit_code == 1 and "unknown_ward" in added.output
    both = cli.invoke(app, ["campaigns", "add", campaign, "--ward", "W1", "--bills-due", "3"])
    assert both.exit_code == 1 and "one_source" in both.output
    shown = cli.invoke(app, ["campaigns", "preview", campaign])
    assert "UCS-2" in shown.output and "Dear Asha" in shown.output
    submitted = cli.invoke(app, ["campaigns", "submit", campaign, "--as", "cli:asha"])
    assert "awaiting_approval" in submitted.output  # 3 > the city's threshold of 2
    same = cli.invoke(app, ["campaigns", "approve", campaign, "--as", "cli:asha"])
    assert same.exit_code == 1 and "second_approver_required" in same.output
    assert "scheduled" in cli.invoke(app, ["campaigns", "approve", campaign, "--as",
                                           "cli:ravi"]).output
    assert "running" in cli.invoke(app, ["campaigns", "start", campaign]).output
    deadline = time.monotonic() + 40  # the embedded gateway's tick picks it up
    while True:
        figures = json.loads(cli.invoke(app, ["campaigns", "follow", campaign,
                                              "--once"]).output.strip().splitlines()[-1])
        if figures["status"] == "done":
            break
        assert time.monotonic() < deadline, figures
        time.sleep(0.5)
    assert figures["sent"] == 3
    followed = cli.invoke(app, ["campaigns", "follow", campaign])  # ended: returns at once
    assert followed.exit_code == 0 and '"status": "done"' in followed.output
    cli.invoke(app, ["campaigns", "report", campaign, "--out", str(tmp_path / "r.csv")])
    assert len((tmp_path / "r.csv").read_text(encoding="utf-8").splitlines()) == 4
