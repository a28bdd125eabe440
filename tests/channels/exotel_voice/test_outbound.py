"""Exotel outbound calls: the Connect API request (mock transport) and its StatusCallback (the
documented shape, as JSON and as a form) as the message's status."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from urllib.parse import parse_qsl

import httpx
import pytest

from channels.base import ReplyContext
from channels.contract import (
    DeliveryStatus,
    EventKind,
    InboundEvent,
    OutboundMessage,
    StatusUpdate,
    WebhookRequest,
)
from channels.errors import BadSignature, ConfigError, Throttled
from channels.exotel_voice.adapter import Adapter
from channels.voice import ANNOUNCE_CONTEXT

FIXTURES = Path(__file__).parent / "fixtures"
TOKEN = "5e0c3a9b1d7f4e2a8c6b0d9e1f3a5c7b"
BASE = "https://nagarsetu.example.in/webhooks/exotel-voice/acc-3"
CALL = "c3f9a2b7e8d14f6a9b0c1d2e3f4a5b6c"
CONFIG = {"token": TOKEN, "address": "08047100200", "account_sid": "nagarsetu1",
          "api_key": "k3y", "api_token": "t0ken", "outbound_app_id": "271828"}


def status(name: str, token: str = TOKEN) -> WebhookRequest:
    path = FIXTURES / name
    json_body = name.endswith(".json")
    return WebhookRequest("POST", f"{BASE}/s/{token}/status?placed=1",
                          {"Content-Type": "application/json" if json_body
                           else "application/x-www-form-urlencoded"}, path.read_bytes())


@pytest.mark.parametrize(("name", "expected"), [
    ("placed_status__answered.json", StatusUpdate(CALL, DeliveryStatus.DELIVERED)),
    ("placed_status__terminal_completed.json", StatusUpdate(CALL, DeliveryStatus.DELIVERED)),
    ("placed_status__terminal_busy.json", StatusUpdate(CALL, DeliveryStatus.FAILED, "call_busy")),
    ("placed_status__terminal_no_answer.json",
     StatusUpdate(CALL, DeliveryStatus.FAILED, "call_no_answer")),
    ("placed_status__terminal_failed.json",
     StatusUpdate(CALL, DeliveryStatus.FAILED, "call_failed")),
    ("placed_status__form_no_answer.txt",
     StatusUpdate(CALL, DeliveryStatus.FAILED, "call_no_answer")),
])
def test_status_callbacks_of_a_placed_call(name: str, expected: StatusUpdate) -> None:
    result = Adapter(CONFIG).handle_webhook(status(name), "status")
    assert result.events == (expected,)
    assert (result.response.status, result.response.body) == (200, "OK")


def test_a_status_callback_without_the_secret_is_refused() -> None:
    with pytest.raises(BadSignature):
        Adapter(CONFIG).handle_webhook(status("placed_status__terminal_completed.json",
                                              token="wrong"), "status")


def test_the_flows_own_call_end_still_ends_a_call() -> None:
    body = (FIXTURES / "status__completed.txt").read_bytes()
    request = WebhookRequest("POST", f"{BASE}/s/{TOKEN}/status",
                             {"Content-Type": "application/x-www-form-urlencoded"}, body)
    (ended,) = Adapter(CONFIG).handle_webhook(request, "status").events
    assert isinstance(ended, InboundEvent) and ended.kind is EventKind.CALL_ENDED


def _placing(answer: httpx.Response) -> tuple[Adapter, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer

    return Adapter(CONFIG, transport=httpx.MockTransport(handler)), seen


def test_send_connects_the_citizen_to_the_flow() -> None:
    adapter, seen = _placing(httpx.Response(200, json={"Call": {"Sid": CALL,
                                                                "Status": "in-progress"}}))
    result = adapter.send(OutboundMessage("+919876543210", "x", reference="msg-1"),
                          BASE + "/status")
    assert result.external_id == CALL
    (request,) = seen
    assert str(request.url) == "https://api.exotel.com/v1/Accounts/nagarsetu1/Calls/connect.json"
    assert request.headers["authorization"] == "Basic " + base64.b64encode(b"k3y:t0ken").decode()
    form = dict(parse_qsl(request.content.decode()))
    assert form["From"] == "+919876543210" and form["CallerId"] == "08047100200"
    assert form["Url"] == "http://my.exotel.com/nagarsetu1/exoml/start_voice/271828"
    assert form["StatusCallback"] == f"{BASE}/s/{TOKEN}/status?placed=1"
    assert form["StatusCallbackContentType"] == "application/json"
    assert {form["StatusCallbackEvents[0]"], form["StatusCallbackEvents[1]"]} == {
        "terminal", "answered"}
    assert form["CustomField"] == "msg-1"


def test_send_maps_provider_errors_and_missing_config() -> None:
    adapter, _ = _placing(httpx.Response(429, headers={"retry-after": "7"}))
    with pytest.raises(Throttled) as throttled:
        adapter.send(OutboundMessage("+919876543210", "x"), BASE + "/status")
    assert throttled.value.retry_after == 7
    adapter, _ = _placing(httpx.Response(401, json={"RestException": {"Status": 401}}))
    with pytest.raises(ConfigError):
        adapter.send(OutboundMessage("+919876543210", "x"), BASE + "/status")
    bare = Adapter({"token": TOKEN, "address": "08047100200"})
    with pytest.raises(ConfigError, match="outbound_app_id"):
        bare.send(OutboundMessage("+919876543210", "x"), BASE + "/status")


class NoClips:
    def urls(self, language: str, clips: object) -> list[str]:
        return []

    def joined(self, language: str, pieces: object) -> str | None:
        return "https://nagarsetu.example.in/audio/en/prompt.0123456789abcdef.wav"


def test_the_announcement_gather() -> None:
    adapter = Adapter({**CONFIG, "tts_language": "en"})
    context = ReplyContext(ANNOUNCE_CONTEXT, BASE, NoClips())
    message = OutboundMessage("09876543210", "Water supply will be off on Friday.",
                              language="en")
    fetch = InboundEvent(CALL, "09876543210", "08047100200", payload="gather", session=CALL)
    body = json.loads(adapter.respond(fetch, [message], context).body)
    assert body["max_input_digits"] == 1
    assert "Water supply" in body["gather_prompt"]["text"]
    assert "press 1" in body["gather_prompt"]["text"]
    passthru = InboundEvent(CALL, "09876543210", "08047100200", text="1", session=CALL)
    assert adapter.respond(passthru, [message], context).status == 200
    silent = InboundEvent(CALL, "09876543210", "08047100200", kind=EventKind.NO_INPUT,
                          session=CALL)
    assert adapter.respond(silent, [message], context).status == 302
