"""Twilio voice webhooks: real wire payloads in, call events out; forged requests refused."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
from twilio.request_validator import RequestValidator

from channels.contract import EventKind, InboundEvent, WebhookRequest, WebhookResult
from channels.errors import BadSignature, MalformedPayload, WebhookRejected
from channels.registry import build_adapter
from channels.twilio_voice.adapter import Adapter

FIXTURES = Path(__file__).parent / "fixtures"
ACCOUNT_SID = "ACa1b2c3d4e5f60718293a4b5c6d7e8f90"
AUTH_TOKEN = "7d1e0f2c3b4a59687766554433221100"
OURS = "+12185550143"
CITIZEN = "+919876543210"
CALL = "CA5f2c1b8e0d3a4f6b9c7e1d2a3b4c5d6e"
BASE = "https://nagarsetu.example.in/webhooks/twilio-voice/acc-9"
RECORDING = (f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/"
             "RE0f1e2d3c4b5a69788796a5b4c3d2e1f0")


@dataclass(frozen=True)
class Ignored:
    """Expected outcome: acknowledged with 200, no event, the reason mentions `what`."""

    what: str


Expected = InboundEvent | Ignored | type[WebhookRejected]


def event(step: int | str, text: str = "", **kw: Any) -> InboundEvent:
    """A call event of the fixtures' call."""
    return InboundEvent(f"{CALL}:{step}", CITIZEN, OURS, text=text, session=CALL, **kw)


# (fixture, query of the URL Twilio was told to call) -> what the adapter makes of it.
CASES: dict[tuple[str, str], Expected] = {
    ("call__started", ""): event(0, kind=EventKind.CALL_STARTED),
    ("gather__digits", "step=3"): event(3, "2"),
    ("gather__devanagari_speech", "step=1"): event(1, "शिकायत दर्ज करनी है"),
    ("gather__number", "step=5"): event(5, "123"),
    ("gather__menu_key", "step=8&menu=1"): event(8, "0"),
    ("record__recording", "step=4&lang=hi"): event(
        4, "(आवाज़ की रिकॉर्डिंग)", media_urls=(RECORDING,)),  # the URL is media, not text
    ("record__hung_up", "step=4&lang=en"): event(
        4, "(voice recording)", media_urls=(RECORDING,)),
    ("call__other_account", ""): BadSignature,
    ("call__missing_call_sid", ""): MalformedPayload,
    ("gather__digits", "step=three"): MalformedPayload,
}
STATUS: dict[str, Expected] = {
    "status__completed": event("end", payload="completed", kind=EventKind.CALL_ENDED),
    "status__busy": event("end", payload="busy", kind=EventKind.CALL_ENDED),
    "status__no_answer": event("end", payload="no-answer", kind=EventKind.CALL_ENDED),
    "status__ringing": Ignored("ringing"),
    "status__missing_status": MalformedPayload,
}


def adapter(**overrides: object) -> Adapter:
    """The Twilio voice adapter for the test account, built through the registry."""
    config = {"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN, "address": OURS,
              **overrides}
    built = build_adapter("twilio-voice", config)
    assert isinstance(built, Adapter)
    return built


def fixture(name: str) -> bytes:
    """A payload exactly as Twilio puts it on the wire."""
    return (FIXTURES / f"{name}.txt").read_bytes().rstrip(b"\n")


def sign(body: bytes, url: str, token: str = AUTH_TOKEN) -> str:
    """X-Twilio-Signature over the URL and form, computed by the SDK itself."""
    params = dict(parse_qsl(body.decode(), keep_blank_values=True))
    return str(RequestValidator(token).compute_signature(url, params))


def deliver(body: bytes, url: str, kind: str = "inbound", signature: str | None = "auto",
            **config: object) -> WebhookResult:
    """Hand a body to the adapter as Twilio posts it (signed for `url` unless told)."""
    headers = {"content-type": "application/x-www-form-urlencoded"}
    if signature == "auto":
        headers["x-twilio-signature"] = sign(body, url)
    elif signature is not None:
        headers["x-twilio-signature"] = signature
    return adapter(**config).handle_webhook(WebhookRequest("POST", url, headers, body), kind)


@pytest.mark.parametrize(("name", "query"), list(CASES), ids=[f"{n}?{q}" for n, q in CASES])
def test_call_webhooks(name: str, query: str) -> None:
    expected = CASES[(name, query)]
    url = f"{BASE}?{query}" if query else BASE
    if isinstance(expected, type):
        with pytest.raises(expected):
            deliver(fixture(name), url)
        return
    result = deliver(fixture(name), url)
    assert result.events == (expected,)
    assert result.response.media_type == "text/xml"


@pytest.mark.parametrize("name", list(STATUS))
def test_status_callbacks(name: str) -> None:
    expected = STATUS[name]
    url = BASE + "/status"
    if isinstance(expected, type):
        with pytest.raises(expected):
            deliver(fixture(name), url, "status")
        return
    result = deliver(fixture(name), url, "status")
    if isinstance(expected, Ignored):
        assert result.events == () and expected.what in (result.ignored or "")
    else:
        assert result.events == (expected,)


@pytest.mark.parametrize("missed_call", [True, "true", "yes"])
def test_a_missed_call_number_rejects_the_call_as_busy(missed_call: object) -> None:
    result = deliver(fixture("call__started"), BASE, missed_call=missed_call)
    assert result.events == (event("missed", kind=EventKind.MISSED_CALL),)
    root = ET.fromstring(result.response.body)
    assert [(child.tag, child.attrib) for child in root] == [("Reject", {"reason": "busy"})]


@pytest.mark.parametrize("missed_call", [False, "false", "", None])
def test_other_numbers_answer(missed_call: object) -> None:
    result = deliver(fixture("call__started"), BASE, missed_call=missed_call)
    assert [e.kind for e in result.events if isinstance(e, InboundEvent)] == [
        EventKind.CALL_STARTED]


def test_unsigned_request_is_refused() -> None:
    with pytest.raises(BadSignature):
        deliver(fixture("gather__digits"), BASE + "?step=2", signature=None)


def test_signature_of_another_token_is_refused() -> None:
    body = fixture("gather__digits")
    forged = sign(body, BASE + "?step=2", token="0" * 32)
    with pytest.raises(BadSignature):
        deliver(body, BASE + "?step=2", signature=forged)


def test_the_step_is_signed() -> None:
    """A request replayed against another step's URL does not verify."""
    body = fixture("gather__digits")
    with pytest.raises(BadSignature):
        deliver(body, BASE + "?step=9", signature=sign(body, BASE + "?step=2"))


def test_no_prompt_webhooks_on_twilio() -> None:
    with pytest.raises(MalformedPayload):
        deliver(fixture("gather__digits"), BASE + "/prompt", kind="prompt")
