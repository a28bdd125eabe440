"""Per-tenant connections: checked, credentials encrypted, every change logged with secrets
hidden, a state's connection serving its cities, and `nagarsetu connectors` on top."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from services.audit.models import ConfigChange
from services.cli import app
from services.connectors.connections import (
    CACHE,
    ConnectorError,
    disable_connection,
    set_connection,
)
from services.connectors.digit.grievances import DigitRegistry
from services.connectors.factory import ConnectedBills, ConnectedGrievances
from services.connectors.models import Connection
from services.connectors.open311.grievances import Open311Registry
from services.grievances.builtin import BuiltinRegistry
from services.security.crypto import Crypto
from services.settings import Settings, get_settings
from tests.services.connectors.conftest import AMRITSAR

SECRET = "s3cr3t-Pa55"


@pytest.mark.parametrize(("domain", "kind", "url", "config", "code"), [
    ("grievances", "fax", "http://x", {}, "unknown_kind"),
    ("parking", "digit", "http://x", {}, "unknown_domain"),
    ("grievances", "digit", "ftp://x", {"username": "u", "password": "p"}, "invalid_base_url"),
    ("grievances", "digit", "https://digit.example", {"username": "u"}, "missing_password"),
    ("bills", "open311", "https://311.example", {}, "kind_cannot_serve_domain"),
])
def test_what_could_not_work_is_refused(db: Session, crypto: Crypto, domain: str, kind: str,
                                        url: str, config: dict[str, str], code: str) -> None:
    with pytest.raises(ConnectorError) as refused:
        set_connection(db, crypto, actor="t", tenant_id=AMRITSAR, domain=domain, kind=kind,
                       base_url=url, config=config)
    assert refused.value.code == code


def test_secrets_are_encrypted_and_the_log_hides_them(db: Session, crypto: Crypto) -> None:
    set_connection(db, crypto, actor="staff:1", tenant_id=AMRITSAR, domain="grievances",
                   kind="digit", base_url="https://digit.example",
                   config={"username": "CONNECTOR", "password": SECRET})
    db.commit()
    row = db.scalar(select(Connection))
    assert row is not None and SECRET not in row.config_enc
    set_connection(db, crypto, actor="staff:1", tenant_id=AMRITSAR, domain="grievances",
                   kind="open311", base_url="https://311.example", config={"api_key": SECRET})
    disable_connection(db, actor="staff:1", tenant_id=AMRITSAR, domain="grievances")
    db.commit()
    changes = db.scalars(select(ConfigChange).where(ConfigChange.entity == "connector")
                         .order_by(ConfigChange.at)).all()
    assert [c.action for c in changes] == ["create", "update", "update"]
    assert all(SECRET not in str(c.before) + str(c.after) for c in changes)
    assert changes[0].after is not None and changes[0].after["config"]["password"] == "***"


def test_the_factory_follows_the_connection(db: Session, crypto: Crypto) -> None:
    registries = ConnectedGrievances()
    assert isinstance(registries.for_tenant(db, crypto, AMRITSAR), BuiltinRegistry)
    set_connection(db, crypto, actor="t", tenant_id="pb", domain="grievances", kind="open311",
                   base_url="https://311.example")  # the whole state
    assert isinstance(registries.for_tenant(db, crypto, AMRITSAR), Open311Registry)
    set_connection(db, crypto, actor="t", tenant_id=AMRITSAR, domain="grievances",
                   kind="digit", base_url="https://digit.example",
                   config={"username": "u", "password": "p"})  # the city's own wins
    assert isinstance(registries.for_tenant(db, crypto, AMRITSAR), DigitRegistry)
    assert type(ConnectedBills().for_tenant(db, crypto, AMRITSAR)).__name__ == "BuiltinBills"
    registries.register(AMRITSAR, BuiltinRegistry)  # a maker registered in code wins
    assert isinstance(registries.for_tenant(db, crypto, AMRITSAR), BuiltinRegistry)


@pytest.fixture
def cli(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """The CLI on the test database and secret."""
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("NAGARSETU_SECRET_KEY", settings.secret_key.get_secret_value())
    monkeypatch.setenv("NAGARSETU_ENV", "test")
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()
    CACHE.clear()


def test_cli_set_list_disable(cli: CliRunner, db: Session) -> None:
    done = cli.invoke(app, ["connectors", "set", "--tenant", AMRITSAR, "--domain", "grievances",
                            "--kind", "digit", "--base-url", "https://digit.example",
                            "--set", "username=CONNECTOR", "--password", SECRET])
    assert done.exit_code == 0, done.output
    listed = cli.invoke(app, ["connectors", "list"])
    assert "digit" in listed.output and "https://digit.example" in listed.output
    assert SECRET not in listed.output and "***" in listed.output
    refused = cli.invoke(app, ["connectors", "set", "--tenant", AMRITSAR, "--domain", "bills",
                               "--kind", "open311", "--base-url", "https://311.example"])
    assert refused.exit_code != 0 and "kind_cannot_serve_domain" in refused.output
    assert cli.invoke(app, ["connectors", "disable", "--tenant", AMRITSAR,
                            "--domain", "grievances"]).exit_code == 0
    row = db.scalar(select(Connection))
    assert row is not None and not row.active
