"""Twilio WhatsApp webhooks: wire payloads in, neutral events out; forged requests refused."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from twilio.request_validator import RequestValidator

from channels.contract import (
    DeliveryStatus,
    InboundEvent,
    Location,
    StatusUpdate,
    WebhookRequest,
    WebhookResult,
)
from channels.errors import BadSignature, ConfigError, MalformedPayload, WebhookRejected
from channels.registry import build_adapter
from channels.twilio_whatsapp.adapter import Adapter

FIXTURES = Path(__file__).parent / "fixtures"
ACCOUNT_SID = "ACa1b2c3d4e5f60718293a4b5c6d7e8f90"
AUTH_TOKEN = "5e0d1c2b3a4958677685a4b3c2d1e0f9"
CITIZEN = "+919876543210"
OURS = "+14155238886"
URLS = {"inbound": "https://nagarsetu.example.in/webhooks/twilio-whatsapp/acc-9",
        "status": "https://nagarsetu.example.in/webhooks/twilio-whatsapp/acc-9/status"}
OUTBOUND_SID = "SMf0e1d2c3b4a5968778695a4b3c2d1e0f"
MEDIA = ("https://api.twilio.com/2010-04-01/Accounts/ACa1b2c3d4e5f60718293a4b5c6d7e8f90/"
         "Messages/MM5c4b3a29180f7e6d5c4b3a29180f7e6d/Media/ME9f8e7d6c5b4a39281706f5e4d3c2b1a0")


@dataclass(frozen=True)
class Ignored:
    """Expected outcome: acknowledged with 200, no event, the reason mentions `what`."""

    what: str


@dataclass(frozen=True)
class Refused:
    """Expected outcome: refused with `error`, when signed with `token` (ours if empty)."""

    error: type[WebhookRejected]
    token: str = ""


Expected = InboundEvent | StatusUpdate | Ignored | Refused

# fixture (event__variant) -> what the adapter must make of it, signed as the case says.
NAME = "Gurpreet Kaur"
"""The citizen's WhatsApp profile name (`ProfileName`) in the fixtures."""
CASES: dict[str, Expected] = {
    "inbound__text": InboundEvent("SM0f1e2d3c4b5a69788796a5b4c3d2e1f0", CITIZEN, OURS,
                                  text="पानी की सप्लाई दो दिन से बंद है", sender_name=NAME),
    "inbound__button_reply": InboundEvent("SM1a2b3c4d5e6f708192a3b4c5d6e7f809", CITIZEN, OURS,
                                          text="हाँ", payload="yes", sender_name=NAME),
    "inbound__list_reply": InboundEvent("SM2b3c4d5e6f708192a3b4c5d6e7f8091a", CITIZEN, OURS,
                                        text="Water supply", payload="water", sender_name=NAME),
    "inbound__location": InboundEvent("SM3c4d5e6f708192a3b4c5d6e7f8091a2b", CITIZEN, OURS,
                                      location=Location(31.6199722, 74.8765298),
                                      sender_name=NAME),
    "inbound__image": InboundEvent("MM5c4b3a29180f7e6d5c4b3a29180f7e6d", CITIZEN, OURS,
                                   text="कचरा यहाँ पड़ा है", media_urls=(MEDIA,),
                                   sender_name=NAME),
    "inbound__sms_sender": Refused(MalformedPayload),
    "inbound__missing_message_sid": Refused(MalformedPayload),
    "inbound__half_location": Refused(MalformedPayload),
    "inbound__other_account": Refused(BadSignature),
    "inbound__bad_signature": Refused(BadSignature, token="0" * 32),
    "status__sent": StatusUpdate(OUTBOUND_SID, DeliveryStatus.SENT),
    "status__delivered": StatusUpdate(OUTBOUND_SID, DeliveryStatus.DELIVERED),
    "status__read": StatusUpdate(OUTBOUND_SID, DeliveryStatus.READ),
    "status__failed_63016": StatusUpdate(OUTBOUND_SID, DeliveryStatus.FAILED, "63016",
                                          needs_template=True),
    "status__undelivered_63024": StatusUpdate(OUTBOUND_SID, DeliveryStatus.FAILED, "63024"),
    "status__received": Ignored("received"),
    "status__missing_status": Refused(MalformedPayload),
}


def adapter(**overrides: str) -> Adapter:
    """The WhatsApp adapter for the test account, built through the registry."""
    config = {"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN,
              "address": "whatsapp:" + OURS, **overrides}
    built = build_adapter("twilio-whatsapp", config)
    assert isinstance(built, Adapter)
    return built


def fixture(name: str) -> bytes:
    """A payload exactly as Twilio puts it on the wire."""
    return (FIXTURES / f"{name}.txt").read_bytes().rstrip(b"\n")


def sign(body: bytes, url: str, token: str = AUTH_TOKEN) -> str:
    """X-Twilio-Signature for a form body, computed by the SDK itself."""
    params = dict(parse_qsl(body.decode(), keep_blank_values=True))
    return str(RequestValidator(token).compute_signature(url, params))


def request(body: bytes, url: str, signature: str | None) -> WebhookRequest:
    """A POST as Twilio makes it (headers as Starlette hands them over: lower-case)."""
    headers = {"content-type": "application/x-www-form-urlencoded", "host": "nagarsetu.example.in"}
    if signature is not None:
        headers["x-twilio-signature"] = signature
    return WebhookRequest("POST", url, headers, body)


def deliver(body: bytes, kind: str, signature: str | None = None,
            url: str | None = None) -> WebhookResult:
    """Hand a body to the adapter, signed for the kind's URL unless a signature is given."""
    url = url or URLS[kind]
    return adapter().handle_webhook(request(body, url, signature or sign(body, url)), kind)


@pytest.mark.parametrize(("name", "expected"), CASES.items(), ids=list(CASES))
def test_fixture(name: str, expected: Expected) -> None:
    """Each payload, signed as its case says, becomes exactly the expected outcome."""
    body, kind = fixture(name), name.split("__")[0]
    if isinstance(expected, Refused):
        signature = sign(body, URLS[kind], expected.token or AUTH_TOKEN)
        with pytest.raises(expected.error) as caught:
            deliver(body, kind, signature)
        assert caught.value.http_status == (403 if expected.error is BadSignature else 400)
        return
    result = deliver(body, kind)
    if isinstance(expected, Ignored):
        assert result.events == () and result.response.status == 200
        assert result.ignored is not None and expected.what in result.ignored
        return
    assert result.events == (expected,) and result.ignored is None
    if kind == "inbound":  # an empty <Response/>: we reply later through the REST API
        assert (result.response.status, result.response.media_type) == (200, "text/xml")
        root = ET.fromstring(result.response.body)
        assert root.tag == "Response" and list(root) == [] and not (root.text or "").strip()
    else:
        assert (result.response.status, result.response.body) == (200, "")


def test_every_fixture_has_a_case() -> None:
    """No payload file sits untested, and no case points at a missing file."""
    assert sorted(p.stem for p in FIXTURES.glob("*.txt")) == sorted(CASES)


def test_a_redelivery_has_the_same_event_id() -> None:
    """Twilio retries with the same MessageSid, which the core deduplicates on."""
    body = fixture("inbound__button_reply")
    first, again = deliver(body, "inbound").events, deliver(body, "inbound").events
    assert first == again and [e.external_id for e in first] == [
        "SM1a2b3c4d5e6f708192a3b4c5d6e7f809"]


GOOD = fixture("inbound__text")
GOOD_URL = URLS["inbound"]

# name -> (body sent, URL the adapter sees, signature sent); every one must be refused with 403.
FORGED: dict[str, tuple[bytes, str, str | None]] = {
    "missing_signature": (GOOD, GOOD_URL, None),
    "empty_signature": (GOOD, GOOD_URL, ""),
    "signed_for_status_url": (GOOD, GOOD_URL, sign(GOOD, URLS["status"])),
    "signed_for_the_sms_url": (GOOD, GOOD_URL,
                               sign(GOOD, GOOD_URL.replace("twilio-whatsapp", "twilio-sms"))),
    "added_button_payload": (GOOD + b"&ButtonPayload=grievance", GOOD_URL, sign(GOOD, GOOD_URL)),
    "tampered_sender": (GOOD.replace(b"919876543210", b"919999999999"), GOOD_URL,
                        sign(GOOD, GOOD_URL)),
    "wrong_token": (GOOD, GOOD_URL, sign(GOOD, GOOD_URL, token="f" * 32)),
    "not_utf8": (GOOD + b"&Note=%FF\xff", GOOD_URL, sign(GOOD, GOOD_URL)),
}


@pytest.mark.parametrize(("body", "url", "signature"), FORGED.values(), ids=list(FORGED))
@pytest.mark.parametrize("kind", ["inbound", "status"])
def test_forged_requests_are_refused(body: bytes, url: str, signature: str | None,
                                     kind: str) -> None:
    """Anything not signed by Twilio for this URL, body and token is a BadSignature (403)."""
    with pytest.raises(BadSignature) as caught:
        adapter().handle_webhook(request(body, url, signature), kind)
    assert caught.value.http_status == 403


def test_repeated_keys_are_signed_with_every_value() -> None:
    """A parameter sent twice is verified over both values, as Twilio signs it."""
    body = GOOD + b"&Tag=a&Tag=b"
    form: dict[str, list[str]] = {}
    for key, value in parse_qsl(body.decode(), keep_blank_values=True):
        form.setdefault(key, []).append(value)

    class MultiForm(dict[str, list[str]]):
        """The shape the SDK's validator reads repeated keys from."""

        def getlist(self, name: str) -> list[str]:
            """Every value of a key."""
            return self[name]

    both = str(RequestValidator(AUTH_TOKEN).compute_signature(GOOD_URL, MultiForm(form)))
    assert deliver(body, "inbound", signature=both).events
    with pytest.raises(BadSignature):
        deliver(body, "inbound", signature=sign(body, GOOD_URL))  # signs Tag=b only


def test_media_beyond_num_media_are_not_taken() -> None:
    """Only NumMedia attachments count, and a huge NumMedia is capped at Twilio's ten."""
    body = fixture("inbound__image")
    none = body.replace(b"NumMedia=1", b"NumMedia=0")
    (event,) = deliver(none, "inbound").events
    assert isinstance(event, InboundEvent) and event.media_urls == ()
    huge = body.replace(b"NumMedia=1", b"NumMedia=1000000000")
    (event,) = deliver(huge, "inbound").events
    assert isinstance(event, InboundEvent) and event.media_urls == (MEDIA,)


def test_empty_button_payload_is_no_payload() -> None:
    """A blank ButtonPayload is text, not a tap on an option with an empty id."""
    body = fixture("inbound__text") + b"&ButtonPayload="
    (event,) = deliver(body, "inbound").events
    assert isinstance(event, InboundEvent) and event.payload is None


def test_unknown_kind_is_refused() -> None:
    """Only inbound and status webhooks exist."""
    with pytest.raises(MalformedPayload):
        deliver(GOOD, "voice", url=GOOD_URL)


# account config address -> the number the adapter speaks for
ADDRESSES = {"whatsapp:+14155238886": OURS, "+14155238886": OURS, "14155238886": OURS,
             "whatsapp:+1 (415) 523-8886": OURS}


@pytest.mark.parametrize(("configured", "number"), ADDRESSES.items(), ids=list(ADDRESSES))
def test_address_is_normalised(configured: str, number: str) -> None:
    """However the sender is spelled in the config, the adapter's address is the bare number."""
    assert adapter(address=configured).address == number


@pytest.mark.parametrize("configured", ["whatsapp:", "whatsapp:+abc", "+0123", "web"])
def test_address_that_is_no_number_is_a_config_error(configured: str) -> None:
    """A sender that is not a phone number is refused when the account is built."""
    with pytest.raises(ConfigError):
        adapter(address=configured)
