"""The simulator's own contract: demo account, webhook override handshake, terminal phone."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
import pytest

from channels.contract import (
    Choice,
    DeliveryStatus,
    InboundEvent,
    Location,
    OutboundMessage,
    StatusUpdate,
)
from channels.registry import build_adapter, demo_accounts, simulator_routers, terminal_phone
from channels.whatsapp_cloud import simulator
from channels.whatsapp_cloud.adapter import Adapter

if TYPE_CHECKING:
    from tests.channels.whatsapp_cloud.conftest import FakeMeta, Hook

CITIZEN = "+919876543210"
LANGUAGES = (Choice("en", "English"), Choice("hi", "हिन्दी"), Choice("pa", "ਪੰਜਾਬੀ"))
CATEGORIES = (Choice("garbage", "कचरा नहीं उठाया गया"), Choice("streetlight", "स्ट्रीट लाइट खराब"),
              Choice("water", "पानी की आपूर्ति नहीं"), Choice("road", "सड़क पर गड्ढा या टूटी सड़क"))


def demo(fake: FakeMeta, hook: str) -> dict[str, str]:
    """The demo account the registry offers, as the sim directory lists it (with its URL)."""
    (config, keep), = [(c, k) for t, c, k in demo_accounts(fake.base_url)
                        if t == "whatsapp-cloud"]
    assert {"access_token", "app_secret", "verify_token", "phone_number_id"} <= keep
    assert config["graph_base"] == fake.graph_base
    return {**config, "webhook_url": fake.hook_url(hook)}


def test_demo_account_builds_and_is_mounted() -> None:
    """The demo config is a valid account and the simulator router is mounted in dev."""
    (config, _), = [(c, k) for t, c, k in demo_accounts("http://127.0.0.1:8000")
                    if t == "whatsapp-cloud"]
    assert isinstance(build_adapter("whatsapp-cloud", config), Adapter)
    assert simulator.router in simulator_routers()


def test_webhook_override_needs_the_handshake(fake_meta: FakeMeta) -> None:
    """Setting the callback is refused (Graph code 2200) unless the GET handshake succeeds."""
    account = demo(fake_meta, "override")
    pid, token = account["phone_number_id"], account["access_token"]
    simulator.register_app(pid, token, account["app_secret"], account["address"])
    url = f"{account['graph_base']}/v21.0/{pid}"
    body = {"webhook_configuration": {"override_callback_uri": account["webhook_url"],
                                      "verify_token": account["verify_token"]}}
    auth = {"Authorization": f"Bearer {token}"}
    assert httpx.post(url, json=body, headers=auth).json()["error"]["code"] == 2200  # no verifier
    fake_meta.verifiers["override"] = Adapter(account)
    wrong = {"webhook_configuration": {**body["webhook_configuration"], "verify_token": "x"}}
    assert httpx.post(url, json=wrong, headers=auth).json()["error"]["code"] == 2200
    assert httpx.post(url, json=body, headers={"Authorization": "Bearer no"}).status_code == 401
    assert httpx.post(url, json=body, headers=auth).json() == {"success": True}


def _inbound(adapter: Adapter, hooks: list[Hook]) -> list[InboundEvent]:
    """Messages (not statuses) among the posted hooks."""
    events = [e for h in hooks for e in adapter.handle_webhook(h.as_request(), "inbound").events]
    return [e for e in events if isinstance(e, InboundEvent)]


def test_terminal_phone_round_trip(fake_meta: FakeMeta) -> None:
    """Typed text, taps on buttons and list rows, and a location arrive as signed webhooks."""
    account = demo(fake_meta, "phone")
    adapter = Adapter(account)
    fake_meta.verifiers["phone"] = adapter
    phone = terminal_phone("whatsapp-cloud", fake_meta.base_url, CITIZEN, account)
    assert getattr(phone, "subscribed", None) is True
    phone.send("नमस्ते")
    adapter.send(OutboundMessage(CITIZEN, "Choose", choices=LANGUAGES), None)
    assert phone.receive(timeout=2) == ["Choose\n\n[1] English\n[2] हिन्दी\n[3] ਪੰਜਾਬੀ"]
    phone.send("२")  # a Devanagari digit taps the second button
    adapter.send(OutboundMessage(CITIZEN, "श्रेणी चुनें:", choices=CATEGORIES), None)
    (shown,) = phone.receive(timeout=2)
    assert "[4] सड़क पर गड्ढा या टूटी… (सड़क पर गड्ढा या टूटी सड़क)" in shown
    phone.send("4")
    phone.send("9")  # no fifth row: typed text
    phone.send("/location 31.6199722,74.8765298")
    assert phone.receive(timeout=0) == []
    hooks = fake_meta.wait_hooks("phone", 11)  # 5 messages and 3 statuses for each of 2 sent
    got = [(e.sender, e.recipient, e.text, e.payload, e.location) for e in _inbound(adapter, hooks)]
    assert got == [
        (CITIZEN, "+15550783881", "नमस्ते", None, None),
        (CITIZEN, "+15550783881", "हिन्दी", "hi", None),
        (CITIZEN, "+15550783881", "सड़क पर गड्ढा या टूटी…", "road", None),
        (CITIZEN, "+15550783881", "9", None, None),
        (CITIZEN, "+15550783881", "", None, Location(31.6199722, 74.8765298)),
    ]
    statuses = [e for h in hooks for e in adapter.handle_webhook(h.as_request(), "inbound").events
                if isinstance(e, StatusUpdate)]
    assert sorted(s.status.rank for s in statuses) == sorted(
        [DeliveryStatus.SENT.rank, DeliveryStatus.DELIVERED.rank, DeliveryStatus.READ.rank] * 2)


def test_terminal_phone_without_verified_callback_still_chats(fake_meta: FakeMeta) -> None:
    """A gateway that cannot answer the handshake gets no statuses, but messages still flow."""
    account = demo(fake_meta, "nohandshake")
    phone = terminal_phone("whatsapp-cloud", fake_meta.base_url, CITIZEN, account)
    assert getattr(phone, "subscribed", None) is False
    phone.send("hello")
    (hook,) = fake_meta.wait_hooks("nohandshake", 1)
    (event,) = Adapter(account).handle_webhook(hook.as_request(), "inbound").events
    assert isinstance(event, InboundEvent) and event.text == "hello"


def test_simulator_refuses_what_meta_refuses(fake_meta: FakeMeta) -> None:
    """Requests over WhatsApp's limits fail like Meta's (131009), so outbound tests mean it."""
    url = f"{fake_meta.graph_base}/v21.0/1065/messages"
    auth = {"Authorization": "Bearer EAAx"}
    base = {"messaging_product": "whatsapp", "to": CITIZEN, "type": "interactive"}
    too_long = {**base, "interactive": {"type": "button", "body": {"text": "x"}, "action": {
        "buttons": [{"type": "reply", "reply": {"id": "a", "title": "x" * 21}}]}}}
    four = {**base, "interactive": {"type": "button", "body": {"text": "x"}, "action": {
        "buttons": [{"type": "reply", "reply": {"id": str(i), "title": str(i)}}
                    for i in range(4)]}}}
    eleven_rows = {**base, "interactive": {"type": "list", "body": {"text": "x"}, "action": {
        "button": "☰", "sections": [{"title": "x", "rows": [
            {"id": str(i), "title": str(i)} for i in range(11)]}]}}}
    for body in (too_long, four, eleven_rows):
        answer = httpx.post(url, json=body, headers=auth)
        assert (answer.status_code, answer.json()["error"]["code"]) == (400, 131009)
    assert httpx.post(url, json={**base, "type": "text", "text": {"body": "hi"}}).status_code \
        == 401
    assert simulator.sent_to(CITIZEN) == []


@pytest.mark.parametrize("number", ["+919876543210", "919876543210"])
def test_inbox_ignores_the_plus(fake_meta: FakeMeta, number: str) -> None:
    """A handset's inbox is found with or without the leading +."""
    account = demo(fake_meta, "inbox")
    Adapter(account).send(OutboundMessage(number, "hello"), None)
    inbox = httpx.get(f"{fake_meta.graph_base}/phones/{CITIZEN}/inbox").json()
    assert [m["text"] for m in inbox["messages"]] == ["hello"] and inbox["next"] == 1
