"""Exotel SMS webhooks: wire payloads in, neutral events out; no webhook secret, no entry."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from channels.contract import (
    DeliveryStatus,
    InboundEvent,
    StatusUpdate,
    WebhookRequest,
    WebhookResult,
)
from channels.errors import BadSignature, MalformedPayload, WebhookRejected
from channels.exotel_sms.adapter import Adapter, with_token
from channels.registry import build_adapter

FIXTURES = Path(__file__).parent / "fixtures"
SECRET = "pQ7vN2kX9sLm4TzR8wYb3HcJ"
CONFIG = {"account_sid": "nagarsetu1", "api_key": "4c0ffee15900d5e7a1b2c3d4e5f60718",
          "api_token": "9c1f0e2d3b4a59687766554433221100", "webhook_secret": SECRET,
          "address": "+918047091234"}
URLS = {"inbound": "https://nagarsetu.example.in/webhooks/exotel-sms/acc-7",
        "status": "https://nagarsetu.example.in/webhooks/exotel-sms/acc-7/status"}
OUT = "0f477d60517e6e6a0f6d9a7e9af8630e"
CITIZEN, OURS = "09876543210", "08047091234"
AT = datetime(2027, 1, 5, 14, 3, 11, tzinfo=ZoneInfo("Asia/Kolkata"))


@dataclass(frozen=True)
class Ignored:
    """Expected outcome: acknowledged with 200, no event, the reason mentions `what`."""

    what: str


Expected = InboundEvent | StatusUpdate | Ignored | type[WebhookRejected]

# fixture (event__variant) -> what the adapter makes of it, sent with our secret.
CASES: dict[str, Expected] = {
    "inbound__plain": InboundEvent("b6cf8e63d4f0a1b2c3d4e5f60718293a", CITIZEN, OURS,
                                   text="Garbage & sewage = problem? 100% +ward 7",
                                   received_at=AT),
    "inbound__hindi": InboundEvent("c1d2e3f405162738495a6b7c8d9e0f1a", CITIZEN, OURS,
                                   text="पानी की सप्लाई दो दिन से बंद है", received_at=AT),
    "inbound__menu_reply": InboundEvent("d2e3f405162738495a6b7c8d9e0f1a2b", CITIZEN, OURS,
                                        text="2", received_at=AT),
    "inbound__e164_numbers": InboundEvent("e3f405162738495a6b7c8d9e0f1a2b3c", "+919876543210",
                                          "+918047091234", text="menu", received_at=AT),
    "inbound__no_date": InboundEvent("f405162738495a6b7c8d9e0f1a2b3c4d", CITIZEN, OURS,
                                     text="hi"),
    "inbound__empty_body": InboundEvent("0516273849a5b6c7d8e9f0a1b2c3d4e5", CITIZEN, OURS,
                                        received_at=AT),
    "inbound__missing_sms_sid": MalformedPayload,
    "inbound__missing_from": MalformedPayload,
    "status__sent_to_handset": StatusUpdate(OUT, DeliveryStatus.DELIVERED),
    "status__sent_to_operator": StatusUpdate(OUT, DeliveryStatus.SENT),
    "status__delivered": StatusUpdate(OUT, DeliveryStatus.DELIVERED),
    "status__submitted": StatusUpdate(OUT, DeliveryStatus.QUEUED),
    "status__failed_dlt_template": StatusUpdate(OUT, DeliveryStatus.FAILED, "23185"),
    "status__failed_dnd": StatusUpdate(OUT, DeliveryStatus.FAILED, "23005"),
    "status__expired": StatusUpdate(OUT, DeliveryStatus.FAILED, "24110"),
    "status__undelivered_no_code": StatusUpdate(OUT, DeliveryStatus.FAILED, "undelivered"),
    "status__unknown": Ignored("partially_sent"),
    "status__missing_status": MalformedPayload,
    "status__missing_sms_sid": MalformedPayload,
}


def adapter(**overrides: str) -> Adapter:
    """The Exotel SMS adapter for the test account, built through the registry."""
    built = build_adapter("exotel-sms", {**CONFIG, **overrides})
    assert isinstance(built, Adapter)
    return built


def fixture(name: str) -> bytes:
    """A payload as Exotel puts it on the wire."""
    return (FIXTURES / f"{name}.txt").read_bytes().rstrip(b"\n")


def request(body: bytes, url: str, headers: dict[str, str] | None = None) -> WebhookRequest:
    """A form POST as Starlette hands it over (lower-case headers)."""
    return WebhookRequest("POST", url, {"content-type": "application/x-www-form-urlencoded",
                                        **(headers or {})}, body)


def deliver(body: bytes, kind: str) -> WebhookResult:
    """Hand a body to the adapter at the kind's URL carrying our secret as `token`."""
    return adapter().handle_webhook(request(body, with_token(URLS[kind], SECRET)), kind)


@pytest.mark.parametrize(("name", "expected"), CASES.items(), ids=list(CASES))
def test_fixture(name: str, expected: Expected) -> None:
    """Each payload, sent with our secret, becomes exactly the expected outcome."""
    body, kind = fixture(name), name.split("__")[0]
    if isinstance(expected, type):
        with pytest.raises(expected) as caught:
            deliver(body, kind)
        assert caught.value.http_status == 400
        return
    result = deliver(body, kind)
    if isinstance(expected, Ignored):
        assert result.events == () and result.ignored and expected.what in result.ignored
        return
    assert result.events == (expected,)
    assert result.ignored is None
    assert result.response.status == 200 and result.response.body == ""


def test_every_fixture_has_a_case() -> None:
    """No payload file sits untested, and no case points at a missing file."""
    assert sorted(p.stem for p in FIXTURES.glob("*.txt")) == sorted(CASES)


def _basic(user: str, password: str) -> dict[str, str]:
    """An Authorization header with HTTP Basic credentials."""
    return {"authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


GOOD = fixture("inbound__menu_reply")
PLAIN = URLS["inbound"]

# name -> (URL the adapter sees, headers); every one must be refused with 403.
FORGED: dict[str, tuple[str, dict[str, str]]] = {
    "no_secret": (PLAIN, {}),
    "empty_token": (PLAIN + "?token=", {}),
    "wrong_token": (with_token(PLAIN, "x" + SECRET[1:]), {}),
    "token_prefix": (with_token(PLAIN, SECRET[:-1]), {}),
    "token_in_other_param": (PLAIN + "?secret=" + SECRET, {}),
    "token_in_header_only": (PLAIN, {"x-token": SECRET}),
    "basic_wrong_password": (PLAIN, _basic("exotel", "nope")),
    "basic_secret_as_user": (PLAIN, _basic(SECRET, "")),
    "basic_not_base64": (PLAIN, {"authorization": "Basic ###"}),
    "bearer_secret": (PLAIN, {"authorization": "Bearer " + SECRET}),
    "wrong_token_beats_basic": (with_token(PLAIN, "wrong"), _basic("exotel", SECRET)),
}


@pytest.mark.parametrize(("url", "headers"), FORGED.values(), ids=list(FORGED))
@pytest.mark.parametrize("kind", ["inbound", "status"])
def test_requests_without_our_secret_are_refused(url: str, headers: dict[str, str],
                                                 kind: str) -> None:
    """Anything not carrying this account's webhook secret is a BadSignature (403)."""
    with pytest.raises(BadSignature) as caught:
        adapter().handle_webhook(request(GOOD, url, headers), kind)
    assert caught.value.http_status == 403
    assert SECRET not in str(caught.value)


def test_basic_credentials_in_the_callback_url_are_accepted() -> None:
    """`https://exotel:<secret>@host/…` reaches us as Basic auth, with any user name."""
    result = adapter().handle_webhook(request(GOOD, PLAIN, _basic("exotel", SECRET)), "inbound")
    assert [e.external_id for e in result.events] == ["d2e3f405162738495a6b7c8d9e0f1a2b"]


def test_another_accounts_secret_is_refused() -> None:
    """The secret of one account does not open another's webhooks."""
    other = adapter(webhook_secret="another-secret-entirely-123")
    with pytest.raises(BadSignature):
        other.handle_webhook(request(GOOD, with_token(PLAIN, SECRET)), "inbound")


def test_fields_may_come_in_the_query_string() -> None:
    """Exotel's older GET-style forwarding puts the fields in the URL; the body wins."""
    url = with_token(PLAIN + "?SmsSid=q1q2q3&From=09876543210&To=08047091234&Body=from+query",
                     SECRET)
    (event,) = adapter().handle_webhook(request(b"", url), "inbound").events
    assert isinstance(event, InboundEvent)
    assert (event.external_id, event.text) == ("q1q2q3", "from query")
    (event,) = adapter().handle_webhook(request(b"Body=from+body", url), "inbound").events
    assert isinstance(event, InboundEvent) and event.text == "from body"


def test_token_is_not_a_field() -> None:
    """The secret in the URL never leaks into the parsed fields."""
    (event,) = deliver(GOOD.replace(b"Body=2", b"Body=token"), "inbound").events
    assert isinstance(event, InboundEvent) and SECRET not in repr(event)


def test_body_that_is_not_utf8_is_malformed() -> None:
    """An authentic request with a broken body is a 400, not a crash."""
    with pytest.raises(MalformedPayload):
        deliver(GOOD + b"&Note=\xff", "inbound")


def test_unknown_kind_is_refused() -> None:
    """Only inbound and status webhooks exist."""
    with pytest.raises(MalformedPayload):
        adapter().handle_webhook(request(GOOD, with_token(PLAIN, SECRET)), "voice")


def test_with_token_replaces_an_old_token() -> None:
    """Adding the secret twice leaves one `token` (a rotated secret replaces the old one)."""
    url = with_token(with_token(URLS["status"] + "?a=1", "old"), SECRET)
    assert url == URLS["status"] + "?a=1&token=" + SECRET


def _sent(method: str, url: str, headers: dict[str, str] | None = None) -> WebhookRequest:
    """A bodiless request as Exotel's reply applet makes it (GET, or its HEAD probe)."""
    return WebhookRequest(method, url, headers or {}, b"")


# Exotel's documented sample: `GET /exotel.php?SmsSid=xxxxxx&From=9052161119&To=56070&Date=xxxxx
# &Body=Hello+World`, here with a real-looking sid and date and our secret added to the URL.
APPLET_GET = (PLAIN + "?SmsSid=a1b2c3d4e5f60718293a4b5c6d7e8f90&From=09052161119&To=56070"
              "&Date=2027-01-05+14%3A03%3A11&Body=Hello+World")


def test_the_reply_applet_delivers_an_incoming_sms_as_a_get() -> None:
    """GET with the fields in the query: one event, answered 200 `text/plain` with no body
    (a body would be sent back to the citizen as an SMS)."""
    assert {"GET", "HEAD", "POST"} <= Adapter.webhook_methods
    result = adapter().handle_webhook(_sent("GET", with_token(APPLET_GET, SECRET)), "inbound")
    assert result.events == (InboundEvent("a1b2c3d4e5f60718293a4b5c6d7e8f90", "09052161119",
                                          "56070", text="Hello World", received_at=AT),)
    assert (result.response.status, result.response.body, result.response.media_type) == (
        200, "", "text/plain")


def test_the_head_probe_is_answered_like_the_get_and_records_nothing() -> None:
    """Exotel probes with HEAD first: the same status and Content-Type, no event."""
    for url in (with_token(PLAIN, SECRET), with_token(APPLET_GET, SECRET)):
        result = adapter().handle_webhook(_sent("HEAD", url), "inbound")
        assert result.events == () and result.ignored == "HEAD probe"
        assert (result.response.status, result.response.media_type) == (200, "text/plain")
    basic = adapter().handle_webhook(_sent("HEAD", PLAIN, _basic("exotel", SECRET)), "inbound")
    assert basic.response.status == 200


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize(("url", "headers"), FORGED.values(), ids=list(FORGED))
def test_a_get_or_head_without_our_secret_is_refused(method: str, url: str,
                                                     headers: dict[str, str]) -> None:
    """The probe and the GET prove themselves like a POST: no secret, 403."""
    query = APPLET_GET.partition("?")[2]
    forged = url + ("&" if "?" in url else "?") + query
    with pytest.raises(BadSignature):
        adapter().handle_webhook(_sent(method, forged, headers), "inbound")
