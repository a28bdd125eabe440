"""One pooled Graph client per WhatsApp Cloud adapter, one webhook client in the simulator."""

from __future__ import annotations

from typing import TYPE_CHECKING

from channels.contract import OutboundMessage
from channels.registry import build_adapter
from channels.whatsapp_cloud import simulator
from channels.whatsapp_cloud.adapter import Adapter
from tests.support.pooling import connections_used
from tests.support.sim_server import CONNECTIONS

if TYPE_CHECKING:
    from tests.channels.whatsapp_cloud.conftest import FakeMeta

PHONE_NUMBER_ID = "106540352242922"
ACCESS_TOKEN = "EAAJB7qZBx0ZAcBO4t2vU9wxyzACCESSTOKENFORTESTS0123456789"
APP_SECRET = "6f1d2c3b4a5968778695a4b3c2d1e0f9"
OURS = "+15550783881"
CITIZEN = "+919876543210"
SENDS = 5


def adapter(fake: FakeMeta) -> Adapter:
    """The adapter from the registry, pointed at the simulator."""
    built = build_adapter("whatsapp-cloud", {
        "phone_number_id": PHONE_NUMBER_ID, "access_token": ACCESS_TOKEN,
        "app_secret": APP_SECRET, "verify_token": "meatyhamhock", "address": OURS,
        "graph_base": fake.graph_base})
    assert isinstance(built, Adapter)
    return built


def test_sends_and_downloads_reuse_one_client(fake_meta: FakeMeta) -> None:
    """Five sends and a download (two requests) on one client and one connection."""
    wa = adapter(fake_meta)
    CONNECTIONS.clear()
    for n in range(SENDS):
        wa.send(OutboundMessage(CITIZEN, f"update {n}"), None)
    media_id = simulator.add_media(b"jpeg", "image/jpeg")
    assert wa.fetch_media(media_id) == (b"jpeg", "image/jpeg")
    assert wa.graph.pool.builds == 1
    assert len(connections_used(simulator.PREFIX, SENDS + 2)) == 1
    client = wa.graph.pool.get()
    wa.close()
    assert client.is_closed and not wa.graph.pool.is_open


def test_status_webhooks_share_one_connection(fake_meta: FakeMeta) -> None:
    """Sent and delivered for each of three messages: six webhooks on one connection."""
    simulator.register_app(PHONE_NUMBER_ID, ACCESS_TOKEN, APP_SECRET, OURS,
                           callback_url=fake_meta.hook_url("wa"))
    simulator.script_delivery(CITIZEN, "sent", "delivered")
    wa = adapter(fake_meta)
    CONNECTIONS.clear()
    for n in range(3):
        wa.send(OutboundMessage(CITIZEN, f"update {n}"), None)
        fake_meta.wait_hooks("wa", 2 * (n + 1))
    assert len(connections_used("/hooks/wa", 6)) == 1
    wa.close()
