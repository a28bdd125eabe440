"""Twilio outbound calls: the call status callbacks of a call we placed (Direction=outbound-api)
as the message's status, its TwiML request as the announcement, signatures by the SDK."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from twilio.request_validator import RequestValidator

from channels.base import ReplyContext
from channels.contract import (
    DeliveryStatus,
    EventKind,
    InboundEvent,
    OutboundMessage,
    StatusUpdate,
    WebhookRequest,
)
from channels.errors import BadSignature, ConfigError
from channels.registry import build_adapter
from channels.twilio_voice.adapter import Adapter
from channels.voice import ANNOUNCE, ANNOUNCE_CONTEXT
from i18n import translate

FIXTURES = Path(__file__).parent / "fixtures"
ACCOUNT_SID = "ACa1b2c3d4e5f60718293a4b5c6d7e8f90"
AUTH_TOKEN = "7d1e0f2c3b4a59687766554433221100"
OURS, CITIZEN = "+12185550143", "+919876543210"
CALL = "CA0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b"
BASE = "https://nagarsetu.example.in/webhooks/twilio-voice/acc-9"


def adapter() -> Adapter:
    built = build_adapter("twilio-voice", {"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN,
                                           "address": OURS})
    assert isinstance(built, Adapter)
    return built


def signed(name: str, url: str, token: str = AUTH_TOKEN) -> WebhookRequest:
    body = (FIXTURES / f"{name}.txt").read_bytes()
    form = dict(parse_qsl(body.decode(), keep_blank_values=True))
    signature = RequestValidator(token).compute_signature(url, form)
    return WebhookRequest("POST", url, {"X-Twilio-Signature": signature,
                                        "Content-Type": "application/x-www-form-urlencoded"},
                          body)


@pytest.mark.parametrize(("name", "expected"), [
    ("outbound_status__answered", StatusUpdate(CALL, DeliveryStatus.DELIVERED)),
    ("outbound_status__completed", StatusUpdate(CALL, DeliveryStatus.DELIVERED)),
    ("outbound_status__busy", StatusUpdate(CALL, DeliveryStatus.FAILED, "call_busy")),
    ("outbound_status__no_answer", StatusUpdate(CALL, DeliveryStatus.FAILED, "call_no_answer")),
    ("outbound_status__failed", StatusUpdate(CALL, DeliveryStatus.FAILED, "call_failed")),
    ("outbound_status__canceled", StatusUpdate(CALL, DeliveryStatus.FAILED, "call_canceled")),
    ("outbound_status__ringing", None),
])
def test_status_callbacks_of_a_placed_call(name: str, expected: StatusUpdate | None) -> None:
    result = adapter().handle_webhook(signed(name, BASE + "/status"), "status")
    assert result.events == ((expected,) if expected else ())
    assert result.response.status == 200
    assert expected is not None or "ringing" in (result.ignored or "")


def test_a_forged_status_callback_is_refused() -> None:
    with pytest.raises(BadSignature):
        adapter().handle_webhook(signed("outbound_status__completed", BASE + "/status",
                                        token="0" * 32), "status")
    elsewhere = signed("outbound_status__completed", BASE + "/status?x=1")
    moved = WebhookRequest("POST", BASE + "/status", elsewhere.headers, elsewhere.body)
    with pytest.raises(BadSignature):  # signed for another URL
        adapter().handle_webhook(moved, "status")


def test_a_call_to_us_still_ends_as_a_call() -> None:
    result = adapter().handle_webhook(signed("status__completed", BASE + "/status"), "status")
    (ended,) = result.events
    assert isinstance(ended, InboundEvent) and ended.kind is EventKind.CALL_ENDED


@pytest.mark.parametrize(("name", "pressed"), [("outbound_call__answered", ""),
                                               ("outbound_call__again", "1")])
def test_the_answered_call_asks_for_its_message(name: str, pressed: str) -> None:
    url = BASE + "?announce=1"
    (asked,) = adapter().handle_webhook(signed(name, url), "inbound").events
    assert asked == InboundEvent(f"{CALL}:announce", CITIZEN, OURS, text=pressed,
                                 payload=ANNOUNCE, session=CALL)


class NoClips:
    def urls(self, language: str, clips: object) -> list[str]:
        return []

    def joined(self, language: str, pieces: object) -> str | None:
        return None


def test_the_announcement_twiml() -> None:
    message = OutboundMessage(CITIZEN, "Water supply will be off on Friday.", language="hi")
    context = ReplyContext(ANNOUNCE_CONTEXT, BASE, NoClips())
    event = InboundEvent(f"{CALL}:announce", CITIZEN, OURS, payload=ANNOUNCE, session=CALL)
    root = ET.fromstring(adapter().respond(event, [message], context).body)
    gather, say, hangup = list(root)
    assert (gather.tag, gather.get("numDigits"), gather.get("action")) == (
        "Gather", "1", BASE + "?announce=1")
    said = " ".join(s.text or "" for s in gather)
    assert "Water supply" in said
    assert translate("hi", "ivr.again_hint").replace("{digit}", "1") in said
    assert (say.tag, hangup.tag) == ("Say", "Hangup")
    recorded = OutboundMessage(CITIZEN, "x", language="hi",
                               media_url="https://nagarsetu.example.in/voice-messages/a.wav")
    root = ET.fromstring(adapter().respond(event, [recorded], context).body)
    assert root[0][0].tag == "Play"
    assert root[0][0].text == recorded.media_url


def test_sending_needs_the_status_callback() -> None:
    with pytest.raises(ConfigError):
        adapter().send(OutboundMessage(CITIZEN, "x"), None)
