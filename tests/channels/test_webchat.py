"""Web chat: HMAC visitor tokens, the widget's JSON messages, and delivery by the message log."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

import pytest

from channels.base import ChannelAdapter
from channels.contract import DeliveryStatus, InboundEvent, OutboundMessage, WebhookRequest
from channels.errors import BadSignature, ConfigError, MalformedPayload, TokenExpired
from channels.registry import build_adapter
from channels.webchat.adapter import TOKEN_TTL_SECONDS

FIXTURES = Path(__file__).parent / "fixtures" / "webchat"
SECRET = "b7e0c5a1d2f3948576a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0"
VISITOR = "web:4f2a9c1e8b7d6a5f4e3d2c1b0a998877"


def adapter(secret: str = SECRET, **extra: str) -> ChannelAdapter:
    """A web chat adapter built through the registry."""
    return build_adapter("webchat", {"token_secret": secret, "address": "web", **extra})


def post(body: bytes, token: str | None, kind: str = "inbound",
         scheme: str = "Bearer") -> WebhookRequest:
    """The widget's POST, with its bearer token."""
    headers = {"content-type": "application/json"}
    if token is not None:
        headers["authorization"] = f"{scheme} {token}"
    return WebhookRequest("POST", "http://127.0.0.1:8000/webhooks/webchat/acc-1", headers, body)


def fixture(name: str) -> bytes:
    """A widget payload as it travels."""
    return (FIXTURES / f"{name}.json").read_bytes()


def test_token_round_trip() -> None:
    """A token issued for a visitor verifies back to that visitor."""
    chat = adapter()
    assert chat.verify_client_token(chat.issue_client_token(VISITOR)) == VISITOR


def test_new_visitors_get_distinct_addresses() -> None:
    """An empty address makes a fresh `web:` visitor each time."""
    chat = adapter()
    first = chat.verify_client_token(chat.issue_client_token(""))
    second = chat.verify_client_token(chat.issue_client_token(""))
    assert first.startswith("web:") and second.startswith("web:") and first != second


def test_issuing_for_a_foreign_address_is_refused() -> None:
    """Only `web:` addresses get tokens, so every issued token can verify."""
    with pytest.raises(ConfigError):
        adapter().issue_client_token("+919876543210")


def _good() -> str:
    """A valid token for the test visitor."""
    return adapter().issue_client_token(VISITOR)


# name -> token presented; each must be a BadSignature.
BAD_TOKENS: dict[str, str] = {
    "empty": "",
    "no_mac": VISITOR,
    "mac_only": _good().rpartition(".")[2],
    "tampered_mac": _good()[:-1] + ("0" if _good()[-1] != "0" else "1"),
    "truncated_mac": _good()[:-4],
    "other_visitor_same_mac": "web:0000000000000000." + _good().rpartition(".")[2],
    "other_accounts_secret": adapter("f" * 64).issue_client_token(VISITOR),
    "not_a_web_address": "tel:+919876543210." + _good().rpartition(".")[2],
    "non_ascii_mac": VISITOR + ".é" + _good().rpartition(".")[2][1:],
    "non_ascii_address": "web:ñ." + _good().rpartition(".")[2],
    "uppercased_mac": VISITOR + "." + _good().rpartition(".")[2].upper(),
    "unexpiring_old_format": VISITOR + "." + hmac.new(
        SECRET.encode(), VISITOR.encode(), hashlib.sha256).hexdigest(),
    "expiry_not_a_number": VISITOR + ".soon." + _good().rpartition(".")[2],
}


@pytest.mark.parametrize("token", BAD_TOKENS.values(), ids=list(BAD_TOKENS))
def test_bad_tokens(token: str) -> None:
    """Forged, tampered, foreign or garbled tokens never verify (and never crash)."""
    with pytest.raises(BadSignature):
        adapter().verify_client_token(token)


@pytest.mark.parametrize("token", BAD_TOKENS.values(), ids=list(BAD_TOKENS))
def test_bad_tokens_on_the_webhook(token: str) -> None:
    """The same tokens are refused with 403 before the body is even read."""
    with pytest.raises(BadSignature) as caught:
        adapter().handle_webhook(post(fixture("message__text"), token), "inbound")
    assert caught.value.http_status == 403


# fixture -> (text, payload) of the resulting event
MESSAGES: dict[str, tuple[str, str | None]] = {
    "message__text": ("Streetlight not working near Hall Gate", None),
    "message__button": ("", "lang:hi"),
    "message__hindi": ("मेरे इलाके में पानी नहीं आ रहा", None),
}


@pytest.mark.parametrize(("name", "expected"), MESSAGES.items(), ids=list(MESSAGES))
def test_widget_messages(name: str, expected: tuple[str, str | None]) -> None:
    """A widget message with a valid token becomes an event from that visitor."""
    body = fixture(name)
    result = adapter().handle_webhook(post(body, _good()), "inbound")
    text, payload = expected
    (event,) = result.events
    assert event == InboundEvent(event.external_id, VISITOR, "web", text=text, payload=payload)
    assert adapter().client_ref(event.external_id) == json.loads(body)["id"]
    assert result.ignored is None and result.response.status == 200


def _event_id(token: str, body: bytes) -> str:
    """The event id a widget message gets."""
    (event,) = adapter().handle_webhook(post(body, token), "inbound").events
    assert isinstance(event, InboundEvent)
    return event.external_id


def test_message_ids_are_scoped_to_the_visitor() -> None:
    """Two visitors who pick the same message id make two events (two dedupe keys); one
    visitor repeating an id makes the same event id (a retry), and the visitor stays hidden."""
    chat = adapter()
    body = fixture("message__text")
    other = chat.issue_client_token("web:0123456789abcdef0123456789abcdef")
    mine = _event_id(_good(), body)
    assert mine == _event_id(_good(), body)
    assert mine != _event_id(other, body)
    assert VISITOR.removeprefix("web:") not in mine and _good().rpartition(".")[2] not in mine


def test_tokens_expire() -> None:
    """A token lasts the account's `token_ttl_seconds`, then is refused with 401 token_expired
    (the MAC covers the expiry, so it cannot be pushed back)."""
    chat = adapter(token_ttl_seconds="60")
    token = chat.issue_client_token(VISITOR, now=1_000_000)
    assert chat.verify_client_token(token, now=1_000_059) == VISITOR
    with pytest.raises(TokenExpired) as caught:
        chat.verify_client_token(token, now=1_000_060)
    assert (caught.value.code, caught.value.http_status) == ("token_expired", 401)
    address, expires, mac = token.split(".")
    with pytest.raises(BadSignature) as forged:
        chat.verify_client_token(f"{address}.{int(expires) + 3600}.{mac}", now=1_000_060)
    assert forged.value.code == "bad_signature"


def test_expired_token_on_the_webhook_is_401() -> None:
    """The widget's POST with an expired token is refused before the body is read."""
    old = adapter().issue_client_token(VISITOR, now=1_000)
    with pytest.raises(TokenExpired) as caught:
        adapter().handle_webhook(post(b"", old), "inbound")
    assert caught.value.http_status == 401


def test_default_token_lifetime_is_a_week() -> None:
    """Without account config a token lasts TOKEN_TTL_SECONDS."""
    token = adapter().issue_client_token(VISITOR, now=0)
    assert int(token.split(".")[1]) == TOKEN_TTL_SECONDS == 7 * 86400


# name -> body; authentic (valid token) but not a widget message: MalformedPayload (400).
MALFORMED: dict[str, bytes] = {
    "extra_field": fixture("message__extra_field"),
    "blank_text_no_payload": fixture("message__blank_text"),
    "truncated_json": fixture("message__truncated"),
    "empty_body": b"",
    "not_json": b"id=m-3f9a1c2b7d&text=hi",
    "json_array": b'[{"id": "m-3f9a1c2b7d", "text": "hi"}]',
    "json_null": b"null",
    "missing_id": b'{"text": "hi"}',
    "short_id": b'{"id": "m-1", "text": "hi"}',
    "id_with_spaces": b'{"id": "m 3f9a1c2b7d", "text": "hi"}',
    "text_not_string": b'{"id": "m-3f9a1c2b7d", "text": 42}',
    "empty_text_no_payload": b'{"id": "m-3f9a1c2b7d", "text": ""}',
    "text_too_long": json.dumps({"id": "m-3f9a1c2b7d", "text": "a" * 2001}).encode(),
    "payload_too_long": json.dumps({"id": "m-3f9a1c2b7d", "payload": "p" * 201}).encode(),
    "not_utf8": b'{"id": "m-3f9a1c2b7d", "text": "\xff\xfe"}',
}


@pytest.mark.parametrize("body", MALFORMED.values(), ids=list(MALFORMED))
def test_malformed_messages(body: bytes) -> None:
    """Garbage from an authenticated visitor is rejected with 400, not dropped or crashed on."""
    with pytest.raises(MalformedPayload) as caught:
        adapter().handle_webhook(post(body, _good()), "inbound")
    assert caught.value.http_status == 400


@pytest.mark.parametrize(("token", "scheme"), [(None, "Bearer"), ("x", "Basic"),
                                               ("", "Bearer")],
                         ids=["no_header", "basic_scheme", "empty_bearer"])
def test_missing_bearer_token(token: str | None, scheme: str) -> None:
    """No bearer token at all is a BadSignature too."""
    with pytest.raises(BadSignature):
        adapter().handle_webhook(post(fixture("message__text"), token, scheme=scheme), "inbound")


def test_status_webhooks_do_not_exist() -> None:
    """Web chat has no status callbacks: authenticated ones are malformed, others forged."""
    with pytest.raises(MalformedPayload):
        adapter().handle_webhook(post(fixture("message__text"), _good()), "status")
    with pytest.raises(BadSignature):
        adapter().handle_webhook(post(fixture("message__text"), "forged"), "status")


def test_recipient_defaults_to_web() -> None:
    """An account without an address still names a recipient."""
    chat = build_adapter("webchat", {"token_secret": SECRET})
    token = chat.issue_client_token(VISITOR)
    (event,) = chat.handle_webhook(post(fixture("message__text"), token), "inbound").events
    assert isinstance(event, InboundEvent) and event.recipient == "web"


def test_send_is_delivered_at_once() -> None:
    """The widget reads the message log, so a send is DELIVERED under the outbox reference."""
    result = adapter().send(OutboundMessage(VISITOR, "hello", reference="msg-42"), None)
    assert (result.external_id, result.status) == ("web-msg-42", DeliveryStatus.DELIVERED)


def test_send_without_reference_gets_a_unique_id() -> None:
    """Two sends without a reference never share an external id."""
    chat = adapter()
    ids = {chat.send(OutboundMessage(VISITOR, "hi"), None).external_id for _ in range(2)}
    assert len(ids) == 2 and all(i.startswith("web-") for i in ids)


def test_a_photo_becomes_a_held_reference_bound_to_the_visitor() -> None:
    """The uploaded photo's id is named under the token's own visitor: another visitor sending
    the same id names another (nonexistent) file, never this visitor's upload."""
    chat = adapter()
    body = fixture("message__photo")
    (event,) = chat.handle_webhook(post(body, _good()), "inbound").events
    assert isinstance(event, InboundEvent)
    upload = json.loads(body)["photo"]
    assert event.text == "" and event.location is None
    assert event.media_urls == (f"held:webchat/{chat.visitor_tag(VISITOR)}/{upload}",)  # type: ignore[attr-defined]
    other = chat.issue_client_token("web:0123456789abcdef0123456789abcdef")
    (theirs,) = chat.handle_webhook(post(body, other), "inbound").events
    assert isinstance(theirs, InboundEvent)
    assert theirs.media_urls != event.media_urls


def test_a_location_becomes_the_events_location() -> None:
    """The browser's position arrives as the event's location, in degrees."""
    (event,) = adapter().handle_webhook(post(fixture("message__location"), _good()),
                                        "inbound").events
    assert isinstance(event, InboundEvent)
    assert event.location is not None
    assert (event.location.latitude, event.location.longitude) == (31.62, 74.8765)
    assert event.media_urls == ()


@pytest.mark.parametrize("body", [
    b'{"id": "m-3f9a1c2b7d", "photo": "../../etc/passwd"}',
    b'{"id": "m-3f9a1c2b7d", "photo": "3F2A9C1E8B7D6A5F4E3D2C1B0A998877"}',
    b'{"id": "m-3f9a1c2b7d", "location": {"lat": 91, "lon": 74}}',
    b'{"id": "m-3f9a1c2b7d", "location": {"lat": 31, "lon": -181}}',
    b'{"id": "m-3f9a1c2b7d", "location": {"lat": "NaN", "lon": 74}}',
    b'{"id": "m-3f9a1c2b7d", "location": {"lat": 31}}',
], ids=["photo_path", "photo_upper", "lat_high", "lon_low", "lat_nan", "lon_missing"])
def test_bad_photos_and_locations(body: bytes) -> None:
    """A photo id that is not an upload id, or a point off the globe, is a 400."""
    with pytest.raises(MalformedPayload):
        adapter().handle_webhook(post(body, _good()), "inbound")
