"""MSG91 webhooks: reports and long-code SMS in, neutral events out; no secret, no entry."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode

import pytest

from channels.contract import (
    DeliveryStatus,
    InboundEvent,
    StatusUpdate,
    WebhookRequest,
    WebhookResult,
)
from channels.errors import BadSignature, MalformedPayload, WebhookRejected
from channels.msg91_sms.adapter import Adapter
from channels.registry import build_adapter

FIXTURES = Path(__file__).parent / "fixtures"
SECRET = "Xk4mP9qR2sT7vW1yZ5bN8cF3"
CONFIG = {"auth_key": "341234AbCdEfGh5f6a7b8c9dP1", "webhook_secret": SECRET,
          "address": "+919220592205"}
URLS = {"inbound": "https://nagarsetu.example.in/webhooks/msg91-sms/acc-9?token=" + SECRET,
        "status": "https://nagarsetu.example.in/webhooks/msg91-sms/acc-9/status?token=" + SECRET}
RID = "3763646c3058373530393138"
CITIZEN, LONG_CODE, RCVD = "919876543210", "919220592205", "2027-01-05 14:03:11"


def digest_id(text: str) -> str:
    """The id the adapter derives for a long-code SMS (MSG91 sends none)."""
    seed = "|".join((CITIZEN, LONG_CODE, RCVD, text))
    return "msg91:" + hashlib.sha256(seed.encode()).hexdigest()[:32]


def sms(text: str, shown: str | None = None, external_id: str | None = None) -> InboundEvent:
    """The event expected for a long-code SMS with this text."""
    return InboundEvent(external_id or digest_id(text), CITIZEN, LONG_CODE,
                        text=text if shown is None else shown)


@dataclass(frozen=True)
class Ignored:
    """Expected outcome: acknowledged with 200, no event, the reason mentions `what`."""

    what: str


Expected = tuple[InboundEvent | StatusUpdate, ...] | Ignored | type[WebhookRejected]
FAILED = DeliveryStatus.FAILED

CASES: dict[str, Expected] = {
    "inbound__plain": (sms("Garbage & sewage = problem? 100% +ward 7"),),
    "inbound__hindi": (sms("पानी की सप्लाई दो दिन से बंद है"),),
    "inbound__keyword": (sms("NAGAR 2", shown="2"),),
    "inbound__keyword_not_first": (sms("2 NAGAR"),),
    "inbound__json": (sms("menu"),),
    "inbound__with_request_id": (sms("1", external_id="5f6a7b8c9d0e1f2a3b4c5d6e"),),
    "inbound__missing_sender": MalformedPayload,
    "inbound__json_not_object": MalformedPayload,
    "status__v2_delivered": (StatusUpdate(RID, DeliveryStatus.DELIVERED),),
    "status__v2_failed": (StatusUpdate(RID, FAILED, "2"),),
    "status__v2_expired": (StatusUpdate(RID, FAILED, "2"),),
    "status__v2_ndnc": (StatusUpdate(RID, FAILED, "9"),),
    "status__v2_rejected": (StatusUpdate(RID, FAILED, "16"),),
    "status__v2_blocked": (StatusUpdate(RID, FAILED, "17"),),
    "status__v2_submitted": (StatusUpdate(RID, DeliveryStatus.SENT),),
    "status__v2_unknown_code_known_desc": (StatusUpdate(RID, DeliveryStatus.DELIVERED),),
    "status__v2_unknown": Ignored("31"),
    "status__v2_data_not_json": MalformedPayload,
    "status__v2_missing_request_id": MalformedPayload,
    "status__v2_empty_report": MalformedPayload,
    "status__no_fields": MalformedPayload,
    "status__v3_delivered": (StatusUpdate(RID, DeliveryStatus.DELIVERED),),
    "status__v3_failed": (StatusUpdate(RID, FAILED, "2"),),
}


def adapter(**overrides: str) -> Adapter:
    """The MSG91 adapter for the test account, built through the registry."""
    built = build_adapter("msg91-sms", {**CONFIG, **overrides})
    assert isinstance(built, Adapter)
    return built


def fixture(name: str) -> tuple[bytes, str]:
    """A payload as MSG91 puts it on the wire, with its content type."""
    for path in FIXTURES.glob(f"{name}.*"):
        kind = "application/json" if path.suffix == ".json" else \
            "application/x-www-form-urlencoded"
        return path.read_bytes().rstrip(b"\n"), kind
    raise FileNotFoundError(name)


def request(body: bytes, url: str, content_type: str,
            headers: dict[str, str] | None = None) -> WebhookRequest:
    """A POST as Starlette hands it over (lower-case headers)."""
    return WebhookRequest("POST", url, {"content-type": content_type, **(headers or {})}, body)


def deliver(name: str) -> WebhookResult:
    """Hand a fixture to the adapter at its kind's URL (carrying our secret)."""
    body, content_type = fixture(name)
    kind = name.split("__")[0]
    return adapter().handle_webhook(request(body, URLS[kind], content_type), kind)


@pytest.mark.parametrize(("name", "expected"), CASES.items(), ids=list(CASES))
def test_fixture(name: str, expected: Expected) -> None:
    """Each payload, sent with our secret, becomes exactly the expected outcome."""
    if isinstance(expected, type):
        with pytest.raises(expected) as caught:
            deliver(name)
        assert caught.value.http_status == 400
        return
    result = deliver(name)
    if isinstance(expected, Ignored):
        assert result.events == () and result.ignored and expected.what in result.ignored
        return
    assert result.events == expected
    assert result.response.status == 200 and result.ignored is None


def test_every_fixture_has_a_case() -> None:
    """No payload file sits untested, and no case points at a missing file."""
    assert sorted(p.stem for p in FIXTURES.iterdir()) == sorted(CASES)


def test_a_retried_long_code_sms_keeps_its_id() -> None:
    """MSG91 sends no message id; the same forward twice yields the same id (one effect)."""
    assert deliver("inbound__plain").events == deliver("inbound__plain").events


def test_two_reports_in_one_request() -> None:
    """A v2 report list with two recipients gives two updates for the request id."""
    body, content_type = fixture("status__v2_delivered")
    data = json.loads(parse_qs(body.decode())["data"][0])
    data[0]["report"].append({**data[0]["report"][0], "status": "2", "desc": "FAILED"})
    doubled = urlencode({"data": json.dumps(data)}).encode()
    result = adapter().handle_webhook(request(doubled, URLS["status"], content_type), "status")
    assert result.events == (StatusUpdate(RID, DeliveryStatus.DELIVERED),
                             StatusUpdate(RID, FAILED, "2"))


PLAIN = "https://nagarsetu.example.in/webhooks/msg91-sms/acc-9"
FORGED: dict[str, str] = {
    "no_secret": PLAIN,
    "empty_token": PLAIN + "?token=",
    "wrong_token": PLAIN + "?token=" + "x" + SECRET[1:],
    "token_prefix": PLAIN + "?token=" + SECRET[:-1],
    "other_param": PLAIN + "?authkey=" + SECRET,
    "auth_key_as_token": PLAIN + "?token=" + CONFIG["auth_key"],
}


@pytest.mark.parametrize("url", FORGED.values(), ids=list(FORGED))
@pytest.mark.parametrize("name", ["inbound__plain", "status__v2_delivered",
                                  "status__v3_delivered"])
def test_requests_without_our_secret_are_refused(url: str, name: str) -> None:
    """Anything not carrying this account's webhook secret is a BadSignature (403)."""
    body, content_type = fixture(name)
    with pytest.raises(BadSignature) as caught:
        adapter().handle_webhook(request(body, url, content_type), name.split("__")[0])
    assert caught.value.http_status == 403 and SECRET not in str(caught.value)


def test_broken_json_body_is_malformed() -> None:
    """An authentic request whose JSON does not parse is a 400."""
    with pytest.raises(MalformedPayload):
        adapter().handle_webhook(request(b"{nope", URLS["status"], "application/json"),
                                 "status")


def test_keyword_from_the_account_config() -> None:
    """A keyword configured on the account is taken off even when MSG91 does not send it."""
    body, content_type = fixture("inbound__plain")
    body = body.replace(b"comments=Garbage", b"comments=nagar+Garbage")
    (event,) = adapter(keyword="NAGAR").handle_webhook(
        request(body, URLS["inbound"], content_type), "inbound").events
    assert isinstance(event, InboundEvent) and event.text.startswith("Garbage")


def test_unknown_kind_is_refused() -> None:
    """Only inbound and status webhooks exist."""
    body, content_type = fixture("inbound__plain")
    with pytest.raises(MalformedPayload):
        adapter().handle_webhook(request(body, URLS["inbound"], content_type), "voice")
