"""`nagarsetu tenant languages` and `public-status`: a state chooses without code."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from services.cli import app
from services.settings import get_settings
from services.tenancy.models import Tenant
from tests.support.gateway import LiveGateway, SmsPhone


@pytest.fixture
def cli(gateway: LiveGateway, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """The CLI pointed at the live gateway's database."""
    monkeypatch.setenv("DATABASE_URL", gateway.settings.database_url)
    monkeypatch.setenv("NAGARSETU_SECRET_KEY", gateway.settings.secret_key.get_secret_value())
    monkeypatch.setenv("NAGARSETU_ENV", "test")
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_state_sets_languages_and_the_city_follows(gateway: LiveGateway, cli: CliRunner) -> None:
    result = cli.invoke(app, ["tenant", "languages", "pb", "--enable", "pa,hi,en",
                              "--default", "pa"])
    assert result.exit_code == 0, result.output
    assert "pa, hi, en" in result.output
    shown = cli.invoke(app, ["tenant", "languages", "pb.amritsar"])
    assert "pa, hi, en (inherited); default pa" in shown.output
    gateway.ctx.master.clear()
    first = SmsPhone(gateway).chat("hello")
    assert first.index("ਪੰਜਾਬੀ") < first.index("हिन्दी") < first.index("English")
    assert "தமிழ்" not in first


def test_unknown_language_or_default_is_refused(gateway: LiveGateway, cli: CliRunner) -> None:
    bad = cli.invoke(app, ["tenant", "languages", "pb", "--enable", "en,xx"])
    assert bad.exit_code != 0
    assert "no catalog for xx" in bad.output
    bad_default = cli.invoke(app, ["tenant", "languages", "pb", "--enable", "en,hi",
                                   "--default", "ta"])
    assert bad_default.exit_code != 0
    with gateway.ctx.sessions() as db:
        assert "ta" in db.get_one(Tenant, "pb").languages  # nothing changed


def test_public_status_is_set_inherited_and_shown(gateway: LiveGateway, cli: CliRunner) -> None:
    """`tenant public-status`: none by default, a state's choice reaches its cities."""
    shown = cli.invoke(app, ["tenant", "public-status", "pb.amritsar"])
    assert shown.output.strip() == "pb.amritsar: public status none (inherited)"
    assert cli.invoke(app, ["tenant", "public-status", "pb", "--set", "status"]).exit_code == 0
    shown = cli.invoke(app, ["tenant", "public-status", "pb.amritsar"])
    assert shown.output.strip() == "pb.amritsar: public status status (inherited)"
    own = cli.invoke(app, ["tenant", "public-status", "pb.amritsar", "--set", "none"])
    assert own.output.strip() == "pb.amritsar: public status none (own)"
    with gateway.ctx.sessions() as db:
        assert db.get_one(Tenant, "pb.amritsar").public_status == "none"
    back = cli.invoke(app, ["tenant", "public-status", "pb.amritsar", "--set", "inherit"])
    assert back.output.strip() == "pb.amritsar: public status status (inherited)"
    bad = cli.invoke(app, ["tenant", "public-status", "pb", "--set", "everything"])
    assert bad.exit_code != 0


def test_reopen_window_is_set_inherited_and_recorded(gateway: LiveGateway,
                                                      cli: CliRunner) -> None:
    """`tenant reopen-window`: 7 days by default, a state's window reaches its cities."""
    shown = cli.invoke(app, ["tenant", "reopen-window", "pb.amritsar"])
    assert shown.output.strip() == "pb.amritsar: reopen window 7 days (inherited)"
    assert cli.invoke(app, ["tenant", "reopen-window", "pb", "--set", "10"]).exit_code == 0
    shown = cli.invoke(app, ["tenant", "reopen-window", "pb.amritsar"])
    assert shown.output.strip() == "pb.amritsar: reopen window 10 days (inherited)"
    own = cli.invoke(app, ["tenant", "reopen-window", "pb.amritsar", "--set", "0"])
    assert own.output.strip() == "pb.amritsar: reopen window 0 days (own)"
    with gateway.ctx.sessions() as db:
        assert db.get_one(Tenant, "pb.amritsar").reopen_days == 0
    for bad in ("-1", "week", "400"):
        assert cli.invoke(app, ["tenant", "reopen-window", "pb", "--set", bad]).exit_code != 0
    exported = cli.invoke(app, ["audit", "export", "pb.amritsar"])
    rows = [json.loads(line) for line in exported.output.splitlines()]
    assert rows[-1]["after"] == {"reopen_days": 0}


def test_changes_are_recorded_and_exported(gateway: LiveGateway, cli: CliRunner) -> None:
    assert cli.invoke(app, ["tenant", "languages", "pb", "--enable", "pa,hi,en"]).exit_code == 0
    assert cli.invoke(app, ["tenant", "public-status", "pb.amritsar", "--set",
                            "status"]).exit_code == 0
    assert cli.invoke(app, ["tenant", "public-status", "pb.amritsar", "--set",
                            "status"]).exit_code == 0  # no change: nothing recorded
    exported = cli.invoke(app, ["audit", "export", "pb"])
    assert exported.exit_code == 0, exported.output
    rows = [json.loads(line) for line in exported.output.splitlines()]
    assert [(r["tenant_id"], r["entity"], r["action"]) for r in rows] == [
        ("pb", "tenant", "update"), ("pb.amritsar", "tenant", "update")]
    assert rows[0]["after"]["languages"] == ["pa", "hi", "en"]
    assert rows[0]["actor"].startswith("cli:")
    assert rows[1]["before"] == {"public_status": None}
    assert rows[1]["after"] == {"public_status": "status"}
    as_csv = cli.invoke(app, ["audit", "export", "pb.amritsar", "--format", "csv"])
    lines = list(csv.reader(io.StringIO(as_csv.output)))
    assert lines[0][:3] == ["at", "tenant_id", "actor"]
    assert len(lines) == 2 and json.loads(lines[1][7]) == {"public_status": "status"}


def test_office_hours_are_set_shown_recorded_and_cleared(gateway: LiveGateway,
                                                         cli: CliRunner) -> None:
    set_hours = cli.invoke(app, ["tenant", "edit", "pb.amritsar", "--hours",
                                 "en=Mon-Sat 9:00-17:00", "--hours", "hi=सोम-शनि 9:00-17:00"])
    assert set_hours.exit_code == 0, set_hours.output
    assert "hours (en) Mon-Sat 9:00-17:00" in set_hours.output
    assert "hours (hi) सोम-शनि 9:00-17:00" in set_hours.output
    too_long = cli.invoke(app, ["tenant", "edit", "pb.amritsar", "--hours", "en=" + "9" * 200])
    assert too_long.exit_code == 2 and "refused invalid_hours (hours)" in too_long.output
    exported = cli.invoke(app, ["audit", "export", "pb.amritsar"])
    (row,) = [json.loads(line) for line in exported.output.splitlines()]
    assert (row["before"]["hours"], row["after"]["hours"]) == (
        {}, {"en": "Mon-Sat 9:00-17:00", "hi": "सोम-शनि 9:00-17:00"})
    cleared = cli.invoke(app, ["tenant", "edit", "pb.amritsar", "--hours", "en="])
    assert cleared.exit_code == 0 and "hours (" not in cleared.output
    with gateway.ctx.sessions() as db:
        assert db.get_one(Tenant, "pb.amritsar").hours == {}
