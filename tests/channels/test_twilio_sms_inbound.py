"""Twilio SMS webhooks: real wire payloads in, neutral events out; forged requests refused."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

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
from channels.errors import BadSignature, MalformedPayload, WebhookRejected
from channels.registry import build_adapter
from channels.twilio_sms.adapter import Adapter

FIXTURES = Path(__file__).parent / "fixtures" / "twilio_sms"
ACCOUNT_SID = "ACa1b2c3d4e5f60718293a4b5c6d7e8f90"
AUTH_TOKEN = "9c1f0e2d3b4a59687766554433221100"
OURS = "+12185550142"
CITIZEN = "+919876543210"
URLS = {"inbound": "https://nagarsetu.example.in/webhooks/twilio-sms/acc-7",
        "status": "https://nagarsetu.example.in/webhooks/twilio-sms/acc-7/status"}
OUTBOUND_SID = "SMf0e1d2c3b4a5968778695a4b3c2d1e0f"
MEDIA = ("https://api.twilio.com/2010-04-01/Accounts/ACa1b2c3d4e5f60718293a4b5c6d7e8f90/"
         "Messages/MM7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b/Media/")


@dataclass(frozen=True)
class Ignored:
    """Expected outcome: acknowledged with 200, no event, the reason mentions `what`."""

    what: str


Expected = InboundEvent | StatusUpdate | Ignored | type[WebhookRejected]

# fixture (event__variant) -> what the adapter must make of it, correctly signed.
CASES: dict[str, Expected] = {
    "inbound__plain": InboundEvent(
        "SM0a1b2c3d4e5f60718293a4b5c6d7e8f9", CITIZEN, OURS,
        text="Water & sewage = problem? 100% +ward 7"),
    "inbound__hindi": InboundEvent(
        "SM11223344556677889900aabbccddeeff", CITIZEN, OURS,
        text="पानी की सप्लाई दो दिन से बंद है"),
    "inbound__menu_reply": InboundEvent("SM2c3d4e5f60718293a4b5c6d7e8f90a1b", CITIZEN, OURS,
                                        text="2"),
    "inbound__multiline_emoji": InboundEvent(
        "SM3d4e5f60718293a4b5c6d7e8f90a1b2c", CITIZEN, OURS,
        text="Streetlight 🔦 broken\nnear Hall Bazar"),
    "inbound__mms": InboundEvent(
        "MM7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b", CITIZEN, OURS,
        text="Garbage pile near ward 12 park",
        media_urls=(MEDIA + "ME0123456789abcdef0123456789abcdef",
                    MEDIA + "MEfedcba9876543210fedcba9876543210")),
    "inbound__whatsapp_location": InboundEvent(
        "SM1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e", "whatsapp:" + CITIZEN, "whatsapp:+14155238886",
        location=Location(31.6199722, 74.8765298)),
    "inbound__missing_message_sid": MalformedPayload,
    "inbound__bad_num_media": MalformedPayload,
    "inbound__bad_latitude": MalformedPayload,
    "inbound__other_account": BadSignature,
    "status__accepted": StatusUpdate(OUTBOUND_SID, DeliveryStatus.QUEUED),
    "status__queued": StatusUpdate(OUTBOUND_SID, DeliveryStatus.QUEUED),
    "status__sending": StatusUpdate(OUTBOUND_SID, DeliveryStatus.QUEUED),
    "status__sent": StatusUpdate(OUTBOUND_SID, DeliveryStatus.SENT),
    "status__delivered": StatusUpdate(OUTBOUND_SID, DeliveryStatus.DELIVERED),
    "status__undelivered": StatusUpdate(OUTBOUND_SID, DeliveryStatus.FAILED, "30003"),
    "status__failed": StatusUpdate(OUTBOUND_SID, DeliveryStatus.FAILED, "30008"),
    "status__read": StatusUpdate("SM8293a4b5c6d7e8f90a1b2c3d4e5f6071", DeliveryStatus.READ),
    "status__canceled": StatusUpdate(OUTBOUND_SID, DeliveryStatus.FAILED),
    "status__received": Ignored("received"),
    "status__unknown": Ignored("partially_delivered"),
    "status__missing_status": MalformedPayload,
}


def adapter(**overrides: str) -> Adapter:
    """The Twilio SMS adapter for the test account, built through the registry."""
    config = {"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN, "address": OURS, **overrides}
    built = build_adapter("twilio-sms", config)
    assert isinstance(built, Adapter)
    return built


def fixture(name: str) -> bytes:
    """A payload exactly as Twilio puts it on the wire."""
    return (FIXTURES / f"{name}.txt").read_bytes().rstrip(b"\n")


def kind_of(name: str) -> str:
    """Which webhook a fixture belongs to, from its `event__variant` name."""
    return name.split("__")[0]


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


def assert_empty_twiml(result: WebhookResult) -> None:
    """Twilio must get an empty <Response/>: we reply later through the REST API."""
    assert result.response.status == 200
    assert result.response.media_type == "text/xml"
    root = ET.fromstring(result.response.body)
    assert root.tag == "Response"
    assert list(root) == [] and not (root.text or "").strip()


@pytest.mark.parametrize(("name", "expected"), CASES.items(), ids=list(CASES))
def test_fixture(name: str, expected: Expected) -> None:
    """Each real payload, correctly signed, becomes exactly the expected outcome."""
    body, kind = fixture(name), kind_of(name)
    if isinstance(expected, type):
        with pytest.raises(expected) as caught:
            deliver(body, kind)
        assert caught.value.http_status == (403 if expected is BadSignature else 400)
        return
    result = deliver(body, kind)
    if isinstance(expected, Ignored):
        assert result.events == ()
        assert result.ignored is not None and expected.what in result.ignored
        assert result.response.status == 200
        return
    assert result.events == (expected,)
    assert result.ignored is None
    if kind == "inbound":
        assert_empty_twiml(result)
    else:
        assert result.response.status == 200 and result.response.body == ""


def test_every_fixture_has_a_case() -> None:
    """No payload file sits untested, and no case points at a missing file."""
    assert sorted(p.stem for p in FIXTURES.glob("*.txt")) == sorted(CASES)


def _tampered(body: bytes) -> bytes:
    """The body with the citizen's text changed after signing."""
    return body.replace(b"Body=2", b"Body=3")


GOOD = fixture("inbound__menu_reply")
GOOD_URL = URLS["inbound"]

# name -> (body sent, URL the adapter sees, signature sent); every one must be refused with 403.
FORGED: dict[str, tuple[bytes, str, str | None]] = {
    "missing_signature": (GOOD, GOOD_URL, None),
    "empty_signature": (GOOD, GOOD_URL, ""),
    "signed_for_status_url": (GOOD, GOOD_URL, sign(GOOD, URLS["status"])),
    "signed_for_other_host": (GOOD, GOOD_URL,
                              sign(GOOD, GOOD_URL.replace("nagarsetu", "evil"))),
    "signed_for_http": (GOOD, GOOD_URL, sign(GOOD, GOOD_URL.replace("https", "http"))),
    "signed_without_query": (GOOD, GOOD_URL + "?tenant=pb.amritsar", sign(GOOD, GOOD_URL)),
    "tampered_body": (_tampered(GOOD), GOOD_URL, sign(GOOD, GOOD_URL)),
    "unsigned_extra_param": (GOOD + b"&Body=4", GOOD_URL, sign(GOOD, GOOD_URL)),
    "param_dropped": (GOOD.replace(b"&ApiVersion=2010-04-01", b""), GOOD_URL,
                      sign(GOOD, GOOD_URL)),
    "wrong_token": (GOOD, GOOD_URL, sign(GOOD, GOOD_URL, token="0" * 32)),
    "truncated_signature": (GOOD, GOOD_URL, sign(GOOD, GOOD_URL)[:-2]),
    "sha256_with_our_token": (GOOD, GOOD_URL, str(RequestValidator(AUTH_TOKEN).compute_signature(
        GOOD_URL, dict(parse_qsl(GOOD.decode())), "HMAC_SHA256"))),
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


def test_signature_of_another_account_token() -> None:
    """A payload naming our AccountSid but signed by another account's token is refused."""
    other = adapter(auth_token="f" * 32)
    with pytest.raises(BadSignature):
        other.handle_webhook(request(GOOD, GOOD_URL, sign(GOOD, GOOD_URL)), "inbound")


def test_field_order_does_not_matter() -> None:
    """Twilio signs sorted parameters, so a reordered body keeps its signature."""
    pairs = parse_qsl(GOOD.decode(), keep_blank_values=True)
    reordered = urlencode(list(reversed(pairs))).encode()
    result = deliver(reordered, "inbound", signature=sign(GOOD, GOOD_URL))
    assert [e.external_id for e in result.events] == ["SM2c3d4e5f60718293a4b5c6d7e8f90a1b"]


class _MultiForm(dict[str, list[str]]):
    """A form with repeated keys, the shape the SDK's validator reads via `getlist`."""

    def getlist(self, name: str) -> list[str]:
        """Every value of a key."""
        return self[name]


def test_repeated_keys_are_signed_with_every_value() -> None:
    """A parameter sent twice is verified over both values, as Twilio signs it."""
    body = GOOD + b"&Tag=a&Tag=b"
    form = _MultiForm()
    for key, value in parse_qsl(body.decode(), keep_blank_values=True):
        form.setdefault(key, []).append(value)
    both = str(RequestValidator(AUTH_TOKEN).compute_signature(GOOD_URL, form))
    assert deliver(body, "inbound", signature=both).events
    last_only = sign(body, GOOD_URL)  # a plain dict keeps only Tag=b
    with pytest.raises(BadSignature):
        deliver(body, "inbound", signature=last_only)


def test_signature_with_or_without_default_port() -> None:
    """Twilio may sign https://host:443/…; the adapter accepts both spellings, as the SDK does."""
    with_port = GOOD_URL.replace("example.in/", "example.in:443/")
    assert deliver(GOOD, "inbound", signature=sign(GOOD, with_port), url=GOOD_URL).events
    assert deliver(GOOD, "inbound", signature=sign(GOOD, GOOD_URL), url=with_port).events


def test_query_string_is_part_of_the_signed_url() -> None:
    """A webhook URL with a query string verifies when signed with it."""
    url = GOOD_URL + "?tenant=pb.amritsar"
    assert deliver(GOOD, "inbound", url=url).events


def test_media_beyond_num_media_are_not_taken() -> None:
    """Only NumMedia media URLs count; a stray MediaUrl1 with NumMedia=1 is not an attachment."""
    body = fixture("inbound__mms").replace(b"NumMedia=2", b"NumMedia=1")
    (event,) = deliver(body, "inbound").events
    assert isinstance(event, InboundEvent)
    assert event.media_urls == (MEDIA + "ME0123456789abcdef0123456789abcdef",)


def test_huge_num_media_is_capped() -> None:
    """NumMedia is bounded by Twilio's ten attachments; a huge count costs nothing."""
    body = fixture("inbound__mms").replace(b"NumMedia=2", b"NumMedia=1000000000")
    (event,) = deliver(body, "inbound").events
    assert isinstance(event, InboundEvent) and len(event.media_urls) == 2


def test_unknown_kind_is_refused() -> None:
    """Only inbound and status webhooks exist; anything else is malformed, not inbound."""
    with pytest.raises(MalformedPayload):
        deliver(GOOD, "voice", url=GOOD_URL)


def test_status_payload_on_inbound_url_needs_its_own_signature() -> None:
    """A status callback signed for the status URL cannot be replayed at the inbound URL."""
    body = fixture("status__delivered")
    with pytest.raises(BadSignature):
        deliver(body, "inbound", signature=sign(body, URLS["status"]))
