"""Only an explicit development run mounts the provider simulators and seeds the demo city."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from services.accounts.models import ChannelAccount
from services.tenancy.models import Tenant
from tests.support.gateway import LiveGateway, free_port, make_settings

SIMULATOR_PATHS = [("GET", "/sim/directory"), ("POST", "/sim/twilio-voice/calls"),
                   ("PUT", "/sim/whatsapp-cloud/apps/123456789012345")]


@pytest.mark.parametrize("env", ["test", "production"])
def test_outside_development_no_simulator_answers_and_no_demo_city(tmp_path: Path,
                                                                    env: str) -> None:
    port = free_port()
    settings = make_settings(tmp_path, port, env=env, simulators=None, seed_demo=None,
                             secret_key=secrets.token_hex(32))
    live = LiveGateway(settings, port).start()
    try:
        for method, path in SIMULATOR_PATHS:
            response = live.http.request(method, path,
                                         json={"app_secret": "x", "url": "http://x"})
            assert response.status_code == 404, (path, response.text)
            assert response.json() == {"detail": {"code": "not_found"}}
        assert "/sim/" not in live.http.get("/openapi.json").text
        assert live.count(Tenant) == 0
        assert live.count(ChannelAccount) == 0
    finally:
        live.stop()


def test_development_mounts_the_simulators_outside_the_api_document(tmp_path: Path) -> None:
    port = free_port()
    live = LiveGateway(make_settings(tmp_path, port), port).start()
    try:
        accounts = live.http.get("/sim/directory").json()["accounts"]
        assert {a["tenant"] for a in accounts} == {"pb.amritsar"}
        assert live.count(Tenant, Tenant.id == "pb.amritsar") == 1
        assert "/sim/" not in live.http.get("/openapi.json").text
    finally:
        live.stop()
