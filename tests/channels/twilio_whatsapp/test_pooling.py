"""One SDK client and one media client per Twilio WhatsApp adapter, reused until close()."""

from __future__ import annotations

from typing import TYPE_CHECKING

from channels.contract import OutboundMessage
from channels.registry import build_adapter
from channels.twilio_whatsapp import simulator
from channels.twilio_whatsapp.adapter import Adapter
from tests.support.pooling import connections_used
from tests.support.sim_server import CONNECTIONS

if TYPE_CHECKING:
    from tests.channels.twilio_whatsapp.conftest import FakeWhatsApp

ACCOUNT_SID = "ACa1b2c3d4e5f60718293a4b5c6d7e8f90"
AUTH_TOKEN = "5e0d1c2b3a4958677685a4b3c2d1e0f9"
CITIZEN = "+919876543210"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
SENDS = 4


def adapter(fake: FakeWhatsApp) -> Adapter:
    """The adapter from the registry, pointed at the simulator."""
    built = build_adapter("twilio-whatsapp", {
        "account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN,
        "address": "whatsapp:+14155238886", "api_base": fake.api_base})
    assert isinstance(built, Adapter)
    return built


def test_sends_and_downloads_reuse_their_clients(fake_whatsapp: FakeWhatsApp) -> None:
    """Four sends on one SDK client and connection, three downloads on one media client;
    close() closes both."""
    wa = adapter(fake_whatsapp)
    CONNECTIONS.clear()
    for n in range(SENDS):
        wa.send(OutboundMessage(CITIZEN, f"update {n}"), None)
    assert wa.twilio.builds == 1
    assert len(connections_used(f"/sim/twilio-whatsapp/2010-04-01/Accounts/{ACCOUNT_SID}"
                                "/Messages.json", SENDS)) == 1
    url = simulator.store_media(fake_whatsapp.api_base, ACCOUNT_SID, PNG, "image/png")
    for _ in range(3):
        assert wa.fetch_media(url) == (PNG, "image/png")
    assert wa.media.builds == 1
    media = wa.media.get()
    wa.close()
    assert media.is_closed and not wa.twilio.is_open and not wa.media.is_open


def test_status_callbacks_share_one_connection(fake_whatsapp: FakeWhatsApp) -> None:
    """Sent and delivered for each of three messages: six callbacks on one connection."""
    simulator.script_delivery(CITIZEN, "sent", "delivered")
    wa = adapter(fake_whatsapp)
    CONNECTIONS.clear()
    for n in range(3):
        wa.send(OutboundMessage(CITIZEN, f"update {n}"), fake_whatsapp.hook_url("status"))
        fake_whatsapp.wait_hooks("status", 2 * (n + 1))
    assert len(connections_used("/hooks/status", 6)) == 1
    wa.close()
