"""`nagarsetu templates add | list | check` against a migrated database with a state and a city."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from services.cli import app
from services.db.engine import make_engine, make_sessionmaker
from services.db.migrate import upgrade
from services.settings import get_settings
from services.templates.catalog import part_keys
from services.templates.models import MessageTemplate
from services.tenancy.models import Tenant

STATUS = ["templates", "add", "--tenant", "pb", "--channel", "exotel-sms",
          "--key", "notify.status", "--language", "hi", "--template-id", "1107161234567890123",
          "--text", "शिकायत {#var#} की स्थिति: {#var#}।", "--var", "id", "--var", "status",
          "--entity-id", "1101000000000004242", "--header", "NGRSTU"]


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[CliRunner, str]]:
    """The CLI on a fresh database holding the state pb (languages en, hi) and pb.amritsar."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    upgrade(url)
    engine = make_engine(url)
    with make_sessionmaker(engine)() as db:
        db.add(Tenant(id="pb", code="PB", languages=["en", "hi"]))
        db.add(Tenant(id="pb.amritsar", parent_id="pb", code="PB-AMR"))
        db.commit()
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("NAGARSETU_ENV", "development")  # the embedded placeholder key
    get_settings.cache_clear()
    yield CliRunner(), url
    get_settings.cache_clear()


def _rows(url: str) -> list[MessageTemplate]:
    """Every registered template."""
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as db:
            rows = db.query(MessageTemplate).all()
            db.expunge_all()
            return rows
    finally:
        engine.dispose()


def test_add_then_list(cli: tuple[CliRunner, str]) -> None:
    runner, url = cli
    added = runner.invoke(app, STATUS)
    assert added.exit_code == 0, added.output
    (row,) = _rows(url)
    assert (row.tenant_id, row.channel_type, row.message_key, row.language, row.options) == (
        "pb", "exotel-sms", "notify.status", "hi", 0)
    assert row.variables == ["id", "status"]
    assert row.extra == {"entity_id": "1101000000000004242", "header": "NGRSTU"}
    listed = runner.invoke(app, ["templates", "list", "--tenant", "pb.amritsar"])
    assert listed.exit_code == 0 and "1107161234567890123" in listed.output
    assert "notify.status" in listed.output
    other = runner.invoke(app, ["templates", "list", "--channel", "msg91-sms"])
    assert "1107161234567890123" not in other.output


def test_add_again_replaces(cli: tuple[CliRunner, str]) -> None:
    runner, url = cli
    runner.invoke(app, STATUS)
    again = runner.invoke(app, [*STATUS[:-2], "--header", "NGRPBS", "--inactive"])
    assert again.exit_code == 0, again.output
    (row,) = _rows(url)
    assert row.extra["header"] == "NGRPBS" and not row.active


@pytest.mark.parametrize(("change", "expected"), [
    ({"--tenant": "pb.nowhere"}, "no tenant"),
    ({"--language": "xx"}, "no catalog"),
    ({"--text": "शिकायत {#var#}।"}, "template_invalid"),
    ({"--channel": "twilio-sms"}, "does not send templates"),
], ids=["unknown_tenant", "unknown_language", "placeholder_count", "no_template_channel"])
def test_bad_registrations_are_refused(cli: tuple[CliRunner, str], change: dict[str, str],
                                       expected: str) -> None:
    runner, url = cli
    args = list(STATUS)
    for option, value in change.items():
        args[args.index(option) + 1] = value
    refused = runner.invoke(app, args)
    assert refused.exit_code != 0 and expected in refused.output
    assert _rows(url) == []


def test_check_reports_what_is_missing(cli: tuple[CliRunner, str]) -> None:
    runner, _ = cli
    runner.invoke(app, STATUS)
    report = runner.invoke(app, ["templates", "check", "--tenant", "pb.amritsar",
                                 "--channel", "exotel-sms"])
    assert report.exit_code == 1
    lines = [line for line in report.output.splitlines() if line.startswith("missing")]
    assert len(lines) == 2 * len(part_keys()) - 1  # every message in en and hi, but one
    assert "notify.status  [en]" in report.output and "notify.status  [hi]" not in report.output
    only_hi = runner.invoke(app, ["templates", "check", "--tenant", "pb.amritsar", "--channel",
                                  "exotel-sms", "--language", "hi"])
    assert "[en]" not in only_hi.output


def test_check_passes_once_the_demo_templates_exist(cli: tuple[CliRunner, str]) -> None:
    runner, url = cli
    from services.templates.demo import seed_demo_templates

    engine = make_engine(url)
    with make_sessionmaker(engine)() as db:
        seed_demo_templates(db, types=["exotel-sms"])
        db.commit()
    engine.dispose()
    report = runner.invoke(app, ["templates", "check", "--tenant", "pb.amritsar",
                                 "--channel", "exotel-sms"])
    assert report.exit_code == 0, report.output
    assert "every message has a template in en, hi" in report.output
