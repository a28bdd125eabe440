"""One pooled HTTP client per MSG91 adapter, one report client in the simulator."""

from __future__ import annotations

from channels.contract import OutboundMessage, TemplateRef
from channels.msg91_sms import simulator
from channels.msg91_sms.adapter import Adapter
from channels.registry import build_adapter
from tests.channels.exotel_sms.server import SimServer
from tests.support.pooling import connections_used
from tests.support.sim_server import CONNECTIONS

AUTH_KEY = "341234AbCdEfGh5f6a7b8c9dP1"
SECRET = "Xk4mP9qR2sT7vW1yZ5bN8cF3"
CITIZEN = "+919876543210"
REF = TemplateRef("1107161234567890123", "en", (), {"header": "NGRSTU"})
SENDS = 5


def adapter(fake: SimServer) -> Adapter:
    """The adapter from the registry, pointed at the simulator."""
    built = build_adapter("msg91-sms", {"auth_key": AUTH_KEY, "webhook_secret": SECRET,
                                        "api_base": fake.api_base})
    assert isinstance(built, Adapter)
    return built


def test_sends_reuse_one_client_until_closed(fake_msg91: SimServer) -> None:
    """Five sends on one client and one connection; close() closes that client."""
    sms = adapter(fake_msg91)
    CONNECTIONS.clear()
    for n in range(SENDS):
        sms.send(OutboundMessage(CITIZEN, f"update {n}", template=REF), None)
    assert sms.http.builds == 1
    assert len(connections_used("/sim/msg91-sms/api", SENDS)) == 1
    client = sms.http.get()
    sms.close()
    assert client.is_closed and not sms.http.is_open


def test_delivery_reports_share_one_connection(fake_msg91: SimServer) -> None:
    """The simulator's reports for three messages arrive on one kept-alive connection."""
    simulator.configure_webhook(AUTH_KEY, fake_msg91.hook_url("dlr") + "?token=" + SECRET)
    sms = adapter(fake_msg91)
    CONNECTIONS.clear()
    for n in range(3):
        sms.send(OutboundMessage(CITIZEN, f"update {n}", template=REF), None)
        fake_msg91.wait_hooks("dlr", n + 1)
    assert len(connections_used("/hooks/dlr", 3)) == 1
    sms.close()
