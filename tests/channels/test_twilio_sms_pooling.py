"""One SDK client per Twilio SMS adapter: sends share a kept-alive connection until close()."""

from __future__ import annotations

from typing import TYPE_CHECKING

from channels.contract import OutboundMessage
from channels.registry import build_adapter, terminal_phone
from channels.twilio_sms import simulator
from channels.twilio_sms.adapter import Adapter
from tests.support.pooling import connections_used
from tests.support.sim_server import CONNECTIONS

if TYPE_CHECKING:
    from tests.channels.conftest import FakeTwilio

ACCOUNT_SID = "ACa1b2c3d4e5f60718293a4b5c6d7e8f90"
AUTH_TOKEN = "9c1f0e2d3b4a59687766554433221100"
CITIZEN = "+919876543210"
SENDS = 5


def adapter(fake: FakeTwilio) -> Adapter:
    """The adapter from the registry, pointed at the simulator."""
    built = build_adapter("twilio-sms", {"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN,
                                         "address": "+12185550142", "api_base": fake.api_base})
    assert isinstance(built, Adapter)
    return built


def test_sends_reuse_one_client_and_connection(fake_twilio: FakeTwilio) -> None:
    """Five sends: one SDK client built, one TCP connection to the API; close() ends it and
    the next send opens a new one."""
    sms = adapter(fake_twilio)
    CONNECTIONS.clear()
    for n in range(SENDS):
        sms.send(OutboundMessage(CITIZEN, f"update {n}"), None)
    assert sms.twilio.builds == 1
    assert len(connections_used("/sim/twilio/2010-04-01", SENDS)) == 1
    pools = sms.twilio.get().http_client.session.get_adapter(fake_twilio.api_base).poolmanager
    assert len(pools.pools) == 1
    sms.close()
    assert not sms.twilio.is_open
    assert len(pools.pools) == 0  # the session's connection pools were closed
    sms.send(OutboundMessage(CITIZEN, "after close"), None)
    assert sms.twilio.builds == 2
    assert len(simulator.sent_to(CITIZEN)) == SENDS + 1
    sms.close()


def test_simulator_posts_every_status_callback_on_one_connection(
        fake_twilio: FakeTwilio) -> None:
    """Two statuses for each of three messages: six callbacks, one kept-alive connection."""
    sms = adapter(fake_twilio)
    CONNECTIONS.clear()
    for n in range(3):
        sms.send(OutboundMessage(CITIZEN, f"update {n}"), fake_twilio.hook_url("status"))
        fake_twilio.wait_hooks("status", 2 * (n + 1))
    assert len(connections_used("/hooks/status", 6)) == 1
    sms.close()


def test_terminal_phone_polls_on_one_connection(fake_twilio: FakeTwilio) -> None:
    """A terminal phone writing and polling its inbox keeps one connection to the server."""
    config = {"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN, "address": "+12185550142",
              "api_base": fake_twilio.api_base, "webhook_url": fake_twilio.hook_url("in")}
    CONNECTIONS.clear()
    phone = terminal_phone("twilio-sms", fake_twilio.base_url, CITIZEN, config)
    phone.send("hello")
    assert phone.receive(timeout=0.5) == []  # polls every 0.2 s until the timeout
    ports = set(CONNECTIONS.ports("/sim/twilio/phones")) | set(CONNECTIONS.ports("/hooks/in"))
    assert len(CONNECTIONS.ports("/sim/twilio/phones")) >= 3 and len(ports) == 1
