"""One pooled HTTP client per Exotel adapter, one callback client in the simulator."""

from __future__ import annotations

from channels.contract import OutboundMessage, TemplateRef
from channels.exotel_sms.adapter import Adapter
from channels.registry import build_adapter
from tests.channels.exotel_sms.server import SimServer
from tests.support.pooling import connections_used
from tests.support.sim_server import CONNECTIONS

CITIZEN = "+919876543210"
REF = TemplateRef("1107161234567890123", "en", (),
                  {"entity_id": "1101000000000004242", "header": "NGRSTU"})
SENDS = 5


def adapter(fake: SimServer) -> Adapter:
    """The adapter from the registry, pointed at the simulator."""
    built = build_adapter("exotel-sms", {
        "account_sid": "nagarsetu1", "api_key": "4c0ffee15900d5e7a1b2c3d4e5f60718",
        "api_token": "9c1f0e2d3b4a59687766554433221100", "webhook_secret": "pQ7vN2kX9sLm4TzR",
        "address": "+918047091234", "api_base": fake.api_base})
    assert isinstance(built, Adapter)
    return built


def test_sends_reuse_one_client_until_closed(fake_exotel: SimServer) -> None:
    """Five sends on one client and one connection; close() closes that client."""
    sms = adapter(fake_exotel)
    CONNECTIONS.clear()
    for n in range(SENDS):
        sms.send(OutboundMessage(CITIZEN, f"update {n}", template=REF), None)
    assert sms.http.builds == 1
    assert len(connections_used("/sim/exotel-sms/v1", SENDS)) == 1
    client = sms.http.get()
    sms.close()
    assert client.is_closed and not sms.http.is_open


def test_status_callbacks_share_one_connection(fake_exotel: SimServer) -> None:
    """The simulator's callbacks for three messages arrive on one kept-alive connection."""
    sms = adapter(fake_exotel)
    CONNECTIONS.clear()
    for n in range(3):
        sms.send(OutboundMessage(CITIZEN, f"update {n}", template=REF),
                 fake_exotel.hook_url("acct") + "/status")
        fake_exotel.wait_hooks("acct/status", n + 1)
    assert len(connections_used("/hooks/acct/status", 3)) == 1
    sms.close()
