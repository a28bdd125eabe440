"""WhatsApp Cloud API webhooks: real wire payloads in, neutral events out; forgeries refused."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

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
from channels.whatsapp_cloud.adapter import Adapter

FIXTURES = Path(__file__).parent / "fixtures"
PHONE_NUMBER_ID = "106540352242922"
APP_SECRET = "6f1d2c3b4a5968778695a4b3c2d1e0f9"
VERIFY_TOKEN = "meatyhamhock"
ACCESS_TOKEN = "EAAJB7qZBx0ZAcBO4t2vU9wxyzACCESSTOKENFORTESTS0123456789"
OURS = "+15550783881"
CITIZEN = "+919876543210"
URL = "https://nagarsetu.example.in/webhooks/whatsapp-cloud/acc-9"
GRAPH_NODE = "https://graph.facebook.com/v21.0/"
W = {  # message ids (wamid) of the fixtures
    "text": "wamid.HBgMOTE5ODc2NTQzMjEwFQIAEhggQTNGNEU2QkJBMDk5QzNBNEYwRTM0RjRBQ0E1RkQxODAA",
    "hindi": "wamid.HBgMOTE5ODc2NTQzMjEwFQIAEhggNUQyRjg4OEQ1Mjk3RkIyMTA1MjIzNzc3RDM4NDk1QzcA",
    "button": "wamid.HBgMOTE5ODc2NTQzMjEwFQIAEhggRjFCQjE4OTE0MTJCNDg1QzA3NjJCN0ExMEZFRjM0RDIA",
    "list": "wamid.HBgMOTE5ODc2NTQzMjEwFQIAEhggMDlFQUQ1RjA5RjI2RjQ5MTk2NTU3NkNFQzQ3NDZGQjMA",
    "quick": "wamid.HBgMOTE5ODc2NTQzMjEwFQIAEhggOUMwQzM4QTY0NjQ2NTk3MDlBNjk0NjA2QjRBMzYyRTAA",
    "loc": "wamid.HBgMOTE5ODc2NTQzMjEwFQIAEhggOEFCMzNGNTQ5RjlGRTM2NDE5RTMwNTVBOTdCMzVEM0QA",
    "img": "wamid.HBgMOTE5ODc2NTQzMjEwFQIAEhggRkI5QzQ0NTlFNzkwMjhEMzRGNjIxM0Y4MzEzMjg0NkUA",
    "out": "wamid.HBgMOTE5ODc2NTQzMjEwFQIAERgSMjg1RjNBRTdBNjBGNEY0QTc1AA==",
}


def at(timestamp: int) -> datetime:
    """A webhook's Unix timestamp as the event's received_at."""
    return datetime.fromtimestamp(timestamp, UTC)


NAME = "Harpreet Kaur"
"""The citizen's WhatsApp profile name in the fixtures (`contacts[].profile.name`)."""


def message(wamid: str, timestamp: int, **fields: object) -> InboundEvent:
    """An expected inbound event from the citizen (with their profile name) to our number."""
    fields.setdefault("sender_name", NAME)
    return InboundEvent(wamid, CITIZEN, OURS, received_at=at(timestamp), **fields)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Ignored:
    """Expected outcome: acknowledged with 200, no event, the reason mentions `what`."""

    what: str


Expected = InboundEvent | StatusUpdate | Ignored | type[WebhookRejected] | tuple[object, ...]

# fixture (event__variant) -> what the adapter must make of it, correctly signed.
CASES: dict[str, Expected] = {
    "message__text": message(W["text"], 1751958400,
                             text="Water supply stopped since two days in ward 7"),
    "message__text_hindi": message(W["hindi"], 1751958402, text="पानी की सप्लाई दो दिन से बंद है 🚱"),
    "message__interactive_button_reply": message(W["button"], 1751958410, text="हिन्दी",
                                                 payload="hi"),
    "message__interactive_list_reply": message(W["list"], 1751958415,
                                               text="सड़क पर गड्ढा या टूटी…", payload="road-damage"),
    "message__button_template_quick_reply": message(W["quick"], 1751958420, text="Track status",
                                                    payload="track"),
    "message__location": message(W["loc"], 1751958425, location=Location(31.6199722, 74.8765298)),
    "message__location_current": message(W["loc"], 1751958426,
                                         location=Location(31.633979, 74.872264)),
    "message__image": message(W["img"], 1751958430, text="Garbage pile near ward 12 park",
                              media_urls=(GRAPH_NODE + "1347629553201288",)),
    "message__image_no_caption": message(W["img"], 1751958431,
                                         media_urls=(GRAPH_NODE + "1347629553201289",)),
    "message__voice": message(W["img"], 1751958432, media_urls=(GRAPH_NODE + "1347629553201290",)),
    "message__multiple": (
        message(W["text"], 1751958400, text="hi"),
        InboundEvent(W["hindi"], "+919812345678", OURS, text="नमस्ते", received_at=at(1751958401),
                     sender_name="Rahul"),  # each message has its own sender's name
        StatusUpdate(W["out"], DeliveryStatus.DELIVERED),
        message(W["list"], 1751958404, text="कचरा नहीं उठाया गया", payload="garbage"),
        Ignored("sticker"),
    ),
    "message__sticker": Ignored("sticker"),
    "message__reaction": Ignored("reaction"),
    "message__unsupported": Ignored("131051"),
    "message__unknown_type": Ignored("hologram"),
    "message__interactive_without_content": Ignored("131000"),
    "message__other_phone_number": Ignored("phone_number_id"),
    "message__missing_id": MalformedPayload,
    "message__bad_latitude": MalformedPayload,
    "message__text_without_body": MalformedPayload,
    "message__wrong_object": MalformedPayload,
    "message__no_metadata": MalformedPayload,
    "message__not_json": MalformedPayload,
    "status__sent": StatusUpdate(W["out"], DeliveryStatus.SENT),
    "status__delivered": StatusUpdate(W["out"], DeliveryStatus.DELIVERED),
    "status__read": StatusUpdate(W["out"], DeliveryStatus.READ),
    "status__failed": StatusUpdate(W["out"], DeliveryStatus.FAILED, "131026"),
    "status__failed_window_closed": StatusUpdate(W["out"], DeliveryStatus.FAILED, "131047",
                                                 needs_template=True),
    "status__deleted": Ignored("deleted"),
    "status__missing_status": MalformedPayload,
    "system__rate_limit_error": Ignored("130429"),
    "template__status_update": Ignored("message_template_status_update"),
}


def adapter(**overrides: str) -> Adapter:
    """The adapter for the test account, built through the registry."""
    config = {"phone_number_id": PHONE_NUMBER_ID, "access_token": ACCESS_TOKEN,
              "app_secret": APP_SECRET, "verify_token": VERIFY_TOKEN, "address": OURS,
              **overrides}
    built = build_adapter("whatsapp-cloud", config)
    assert isinstance(built, Adapter)
    return built


def fixture(name: str) -> bytes:
    """A body exactly as Meta puts it on the wire."""
    return (FIXTURES / f"{name}.json").read_bytes().rstrip(b"\n")


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    """X-Hub-Signature-256 as Meta computes it, independently of the adapter's code."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def request(body: bytes, signature: str | None) -> WebhookRequest:
    """A POST as Meta makes it (headers as Starlette hands them over: lower-case)."""
    headers = {"content-type": "application/json", "host": "nagarsetu.example.in",
               "user-agent": "facebookexternalua"}
    if signature is not None:
        headers["x-hub-signature-256"] = signature
    return WebhookRequest("POST", URL, headers, body)


def deliver(body: bytes, kind: str = "inbound", signature: str | None = None) -> WebhookResult:
    """Hand a body to the adapter, correctly signed unless a signature is given."""
    return adapter().handle_webhook(request(body, signature or sign(body)), kind)


def _split(expected: Expected) -> tuple[tuple[object, ...], list[str]]:
    """Expected events and expected ignore reasons."""
    items = expected if isinstance(expected, tuple) else (expected,)
    return (tuple(i for i in items if not isinstance(i, Ignored)),
            [i.what for i in items if isinstance(i, Ignored)])


@pytest.mark.parametrize(("name", "expected"), CASES.items(), ids=list(CASES))
def test_fixture(name: str, expected: Expected) -> None:
    """Each real payload, correctly signed, becomes exactly the expected outcome."""
    body = fixture(name)
    kind = "status" if name.startswith("status__") else "inbound"
    if isinstance(expected, type):
        with pytest.raises(expected) as caught:
            deliver(body, kind)
        assert caught.value.http_status == 400
        return
    result = deliver(body, kind)
    events, reasons = _split(expected)
    assert result.events == events
    if reasons:
        assert result.ignored is not None
        assert all(reason in result.ignored for reason in reasons), result.ignored
    else:
        assert result.ignored is None
    assert (result.response.status, result.response.body) == (200, "")


def test_every_fixture_has_a_case() -> None:
    """No payload file sits untested, and no case points at a missing file."""
    assert sorted(p.stem for p in FIXTURES.glob("*.json")) == sorted(CASES)


@pytest.mark.parametrize("name", ["message__text", "status__read"])
def test_both_webhook_urls_parse_alike(name: str) -> None:
    """Meta posts messages and statuses to one callback, so either route accepts either."""
    assert deliver(fixture(name), "inbound").events == deliver(fixture(name), "status").events


def test_unknown_kind_is_refused() -> None:
    """Only inbound and status webhooks exist."""
    with pytest.raises(MalformedPayload):
        deliver(fixture("message__text"), "voice")


GOOD = fixture("message__interactive_button_reply")

# name -> (body sent, signature sent); every one must be refused with 403.
FORGED: dict[str, tuple[bytes, str | None]] = {
    "missing_signature": (GOOD, None),
    "empty_signature": (GOOD, ""),
    "no_prefix": (GOOD, sign(GOOD).removeprefix("sha256=")),
    "sha1_prefix": (GOOD, "sha1=" + hmac.new(APP_SECRET.encode(), GOOD, "sha1").hexdigest()),
    "tampered_body": (GOOD.replace(b'"id": "hi"', b'"id": "en"'), sign(GOOD)),
    "reformatted_body": (GOOD.replace(b"\n", b"\r\n"), sign(GOOD)),
    "wrong_app_secret": (GOOD, sign(GOOD, "0" * 32)),
    "signed_with_access_token": (GOOD, sign(GOOD, ACCESS_TOKEN)),
    "signed_with_verify_token": (GOOD, sign(GOOD, VERIFY_TOKEN)),
    "truncated_signature": (GOOD, sign(GOOD)[:-2]),
    "non_ascii_signature": (GOOD, sign(GOOD)[:-1] + "é"),
    "garbage_signed_wrong": (b"not json at all", sign(GOOD)),
}


@pytest.mark.parametrize(("body", "signature"), FORGED.values(), ids=list(FORGED))
@pytest.mark.parametrize("kind", ["inbound", "status"])
def test_forged_requests_are_refused(body: bytes, signature: str | None, kind: str) -> None:
    """Anything not signed by the app secret over these exact bytes is a BadSignature (403)."""
    with pytest.raises(BadSignature) as caught:
        adapter().handle_webhook(request(body, signature), kind)
    assert caught.value.http_status == 403


def test_uppercase_hex_signature_is_accepted() -> None:
    """Hex digits are compared case-insensitively (Meta sends lowercase)."""
    upper = "sha256=" + sign(GOOD).removeprefix("sha256=").upper()
    assert deliver(GOOD, signature=upper).events


def test_another_accounts_secret_is_refused() -> None:
    """A body signed for another app of ours is refused by this account."""
    with pytest.raises(BadSignature):
        adapter(app_secret="f" * 32).handle_webhook(request(GOOD, sign(GOOD)), "inbound")


def test_signature_header_name_is_case_insensitive() -> None:
    """Proxies may change header case; the header is found either way."""
    hook = WebhookRequest("POST", URL, {"X-Hub-Signature-256": sign(GOOD)}, GOOD)
    assert adapter().handle_webhook(hook, "inbound").events


def _query(name: str = "verification__subscribe") -> dict[str, str]:
    """Meta's GET handshake query string from a fixture."""
    text = (FIXTURES / f"{name}.txt").read_text().strip()
    return dict(parse_qsl(text, keep_blank_values=True))


def test_verification_handshake_echoes_the_challenge() -> None:
    """The documented GET verification request is answered with hub.challenge as text/plain."""
    answer = adapter().verify_subscription(_query())
    assert (answer.status, answer.body, answer.media_type) == (200, "1158201444", "text/plain")


def test_verification_handshake_through_handle_webhook() -> None:
    """A GET on the webhook URL is the same handshake, answered without any event."""
    query = (FIXTURES / "verification__subscribe.txt").read_text().strip()
    result = adapter().handle_webhook(WebhookRequest("GET", f"{URL}?{query}", {}, b""), "inbound")
    assert result.events == () and result.response.body == "1158201444"
    assert result.response.media_type == "text/plain"
    forged = query.replace("meatyhamhock", "meatyham")
    with pytest.raises(BadSignature):
        adapter().handle_webhook(WebhookRequest("GET", f"{URL}?{forged}", {}, b""), "inbound")
    assert "GET" in Adapter.webhook_methods


# name -> query changes; every one refused with the given error
HANDSHAKES: dict[str, tuple[dict[str, str | None], type[WebhookRejected]]] = {
    "wrong_token": ({"hub.verify_token": "meatyham"}, BadSignature),
    "missing_token": ({"hub.verify_token": None}, BadSignature),
    "empty_token": ({"hub.verify_token": ""}, BadSignature),
    "non_ascii_token": ({"hub.verify_token": "meatyhamhöck"}, BadSignature),
    "app_secret_as_token": ({"hub.verify_token": APP_SECRET}, BadSignature),
    "mode_unsubscribe": ({"hub.mode": "unsubscribe"}, BadSignature),
    "missing_mode": ({"hub.mode": None}, BadSignature),
    "missing_challenge": ({"hub.challenge": None}, MalformedPayload),
    "huge_challenge": ({"hub.challenge": "9" * 1000}, MalformedPayload),
}


@pytest.mark.parametrize(("changes", "error"), HANDSHAKES.values(), ids=list(HANDSHAKES))
def test_verification_handshake_refusals(changes: dict[str, str | None],
                                         error: type[WebhookRejected]) -> None:
    """A wrong or missing verify token is 403; an incomplete request is 400."""
    query = _query()
    for key, value in changes.items():
        if value is None:
            query.pop(key)
        else:
            query[key] = value
    with pytest.raises(error) as caught:
        adapter().verify_subscription(query)
    assert caught.value.http_status == (403 if error is BadSignature else 400)


@pytest.mark.parametrize("timestamp", [b'"99999999999999999999"', b'"-1"', b'"soon"'])
def test_impossible_timestamps_are_malformed(timestamp: bytes) -> None:
    """A timestamp that is no date is a 400, not a server error."""
    body = fixture("message__text").replace(b'"1751958400"', timestamp)
    with pytest.raises(MalformedPayload):
        deliver(body)
