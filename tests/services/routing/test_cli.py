"""The configuration commands against a running gateway's database: categories, departments,
staff, routing load / explain / escalate, each change in the audit log as `cli:<user>`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner, Result

from services.audit.models import ConfigChange
from services.cli import app
from services.settings import get_settings
from services.staff.models import StaffMember
from tests.services.grievances.citizen import file_direct
from tests.support.gateway import LiveGateway

AMR = "pb.amritsar"


@pytest.fixture
def cli(gateway: LiveGateway) -> Iterator[CliRunner]:
    """A runner whose environment points at the gateway's database."""
    settings = gateway.settings
    runner = CliRunner(env={
        "DATABASE_URL": settings.database_url, "NAGARSETU_ENV": "test",
        "NAGARSETU_SECRET_KEY": settings.secret_key.get_secret_value(), "REDIS_URL": None,
    })
    get_settings.cache_clear()
    yield runner
    get_settings.cache_clear()


def run(cli: CliRunner, *args: str, code: int = 0) -> Result:
    """Invoke the CLI in-process, expecting an exit code."""
    result = cli.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result


def test_a_city_configures_routing_from_the_command_line(
        cli: CliRunner, gateway: LiveGateway, tmp_path: Path) -> None:
    run(cli, "departments", "add", AMR, "sanitation", "--name", "en=Sanitation",
        "--name", "hi=सफ़ाई")
    assert "Sanitation" in run(cli, "departments", "list", AMR).output
    je = run(cli, "staff", "add", AMR, "--name", "JE Kaur", "--department", "sanitation",
             "--designation", "JE", "--wards", "W01,W02", "--phone", "+91 98123 45678"
             ).output.strip()
    run(cli, "staff", "add", AMR, "--name", "JE Sidhu", "--department", "parks", code=2)
    listed = run(cli, "staff", "list", AMR).output
    assert je in listed and "W01,W02" in listed and "45678" not in listed
    key = run(cli, "staff", "add-key", "--member", je).output.strip()
    assert key.startswith("nsk_")

    run(cli, "categories", "add", AMR, "open-manhole", "--name", "en=Open manhole",
        "--sla", "12", "--department", "sanitation", "--location-required")
    shown = run(cli, "categories", "list", AMR).output
    assert "open-manhole" in shown and "location" in shown
    run(cli, "categories", "edit", AMR, "open-manhole", "--sla", "8", "--photo-required")
    run(cli, "categories", "retire", AMR, "dead-animal")
    assert "retired" in run(cli, "categories", "list", AMR).output
    exported = run(cli, "categories", "export", AMR).output
    assert "open-manhole,8,sanitation,true,true,true" in exported

    bad = tmp_path / "rules.csv"
    bad.write_text("category,ward,department,strategy\n"
                   "garbage,W01,sanitation,round_robin\n"
                   "garbage,W77,sanitation,least_loaded\n", encoding="utf-8")
    refused = run(cli, "routing", "load", AMR, "--rules", str(bad), code=2).output
    assert "rules row 3: no ward 'W77' in pb.amritsar" in refused
    good = tmp_path / "routing.json"
    good.write_text(json.dumps({"rules": [
        {"category": "garbage", "ward": "*", "department": "sanitation"}],
        "escalation": {"sanitation": [{"designation": "JE"},
                                      {"designation": "EE", "after_hours": 24}]}}),
        encoding="utf-8")
    assert "1 rules added" in run(cli, "routing", "load", AMR, str(good)).output
    assert json.loads(run(cli, "routing", "show", AMR).output)["rules"][0]["ward"] == "*"
    explained = run(cli, "routing", "explain", AMR, "--category", "garbage", "--ward", "W02"
                    ).output
    assert "rule garbage × * → sanitation (least_loaded)" in explained
    assert f"would be assigned to JE Kaur [{je}]" in explained
    nobody = run(cli, "routing", "explain", AMR, "--category", "garbage", "--ward", "W05",
                 code=1).output
    assert "nobody to assign" in nobody
    assert "no rule matches" in run(cli, "routing", "explain", AMR, "--category", "water",
                                    "--ward", "W01", code=1).output
    run(cli, "staff", "edit", je, "--retired")
    with gateway.ctx.sessions() as db:
        member = db.get(StaffMember, je)
        assert member is not None and member.active is False
        changes = [(c.entity, c.action) for c in db.scalars(
            select(ConfigChange).where(ConfigChange.actor.startswith("cli:"))
            .order_by(ConfigChange.at, ConfigChange.id))]
    assert changes == [
        ("department", "create"), ("staff", "create"), ("staff_key", "create"),
        ("category", "create"), ("category", "update"), ("category", "retire"),
        ("routing_rule", "create"), ("escalation", "create"), ("staff", "retire")]


def test_escalate_once_from_the_command_line(cli: CliRunner, gateway: LiveGateway) -> None:
    file_direct(gateway)  # no department: nothing to escalate
    assert "0 escalated" in run(cli, "routing", "escalate").output


def test_digit_import_from_the_command_line(cli: CliRunner) -> None:
    fixture = Path(__file__).parents[1] / "categories" / "fixtures" / "ServiceDefs__state.json"
    out = run(cli, "categories", "import-digit", AMR, str(fixture)).output
    assert "5 added, 0 updated, 3 departments created" in out
    assert "BurningOfGarbage" in run(cli, "categories", "list", AMR).output
