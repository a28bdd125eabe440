"""`nagarsetu staff add-key` and `staff revoke` against a running gateway's database."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner, Result

from services.cli import app
from services.settings import get_settings
from tests.support.gateway import LiveGateway

KEY = re.compile(r"^nsk_([0-9a-f]{12})_[A-Za-z0-9_-]{43}$")


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


def run(cli: CliRunner, *args: str) -> Result:
    """Invoke the CLI in-process."""
    return cli.invoke(app, list(args))


def status_with(gateway: LiveGateway, key: str) -> int:
    """HTTP status of listing grievances with a key."""
    return gateway.http.get("/api/v1/grievances",
                            headers={"Authorization": f"Bearer {key}"}).status_code


@pytest.mark.parametrize(("tenant", "role"), [
    ("pb.amritsar", "officer"), ("pb.amritsar", "viewer"), ("pb", "admin")])
def test_add_key_prints_a_working_key(gateway: LiveGateway, cli: CliRunner, tenant: str,
                                      role: str) -> None:
    """The only thing on stdout is the key, and it authenticates against the API."""
    result = run(cli, "staff", "add-key", "--tenant", tenant, "--role", role, "--name", "Test")
    assert result.exit_code == 0, result.output
    key = result.stdout.strip()
    assert KEY.match(key), result.stdout
    assert status_with(gateway, key) == 200


def test_default_role_is_officer(gateway: LiveGateway, cli: CliRunner) -> None:
    """Without --role the key may act on grievances."""
    result = run(cli, "staff", "add-key", "--tenant", "pb.amritsar")
    assert result.exit_code == 0, result.output
    response = gateway.http.post("/api/v1/grievances/PB-AMR-2026-999999/start",
                                 headers={"Authorization": f"Bearer {result.stdout.strip()}"})
    assert response.status_code == 404  # authorised to act; the grievance just doesn't exist


@pytest.mark.parametrize(("args", "mentions"), [
    (["--tenant", "pb.nowhere"], "pb.nowhere"),
    (["--tenant", "pb.amritsar", "--role", "superuser"], "viewer"),
    (["--tenant", "pb.amritsar", "--role", "Officer "], "officer"),
    ([], "--tenant"),
    (["--tenant", "pb.amritsar", "--name", "x" * 82], "invalid_key_name"),
])
def test_add_key_refuses_bad_input(gateway: LiveGateway, cli: CliRunner, args: list[str],
                                   mentions: str) -> None:
    """Unknown tenants or roles exit non-zero, say what was wrong, and print no key."""
    result = run(cli, "staff", "add-key", *args)
    assert result.exit_code != 0
    assert mentions in result.output
    assert "nsk_" not in result.output


def test_revoke(gateway: LiveGateway, cli: CliRunner) -> None:
    """A revoked key stops authenticating at once; unknown ids exit non-zero."""
    key = run(cli, "staff", "add-key", "--tenant", "pb.amritsar").stdout.strip()
    match = KEY.match(key)
    assert match and status_with(gateway, key) == 200
    result = run(cli, "staff", "revoke", match.group(1))
    assert result.exit_code == 0, result.output
    assert match.group(1) in result.output
    assert status_with(gateway, key) == 401
    missing = run(cli, "staff", "revoke", "000000000000")
    assert missing.exit_code != 0 and "000000000000" in missing.output
