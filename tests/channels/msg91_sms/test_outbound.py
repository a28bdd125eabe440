"""MSG91 sending against the local simulator: DLT fields on the wire, errors, delivery reports."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from channels.contract import (
    Choice,
    DeliveryStatus,
    InboundEvent,
    OutboundMessage,
    SendResult,
    StatusUpdate,
    TemplateRef,
)
from channels.errors import (
    ConfigError,
    ConnectionFailed,
    ProviderDown,
    RecipientInvalid,
    SendError,
    Throttled,
)
from channels.msg91_sms import simulator
from channels.msg91_sms.adapter import Adapter
from channels.msg91_sms.client import THROTTLE_DELAY
from channels.registry import build_adapter, terminal_phone
from tests.channels.exotel_sms.server import SimServer, closed_port

AUTH_KEY = "341234AbCdEfGh5f6a7b8c9dP1"
SECRET = "Xk4mP9qR2sT7vW1yZ5bN8cF3"
CITIZEN = "+919876543210"
HEADER, TEMPLATE_ID = "NGRSTU", "1107161234567890123"
REF = TemplateRef(TEMPLATE_ID, "en", (), {"entity_id": "1101000000000004242", "header": HEADER})
LANGUAGES = (Choice("en", "English"), Choice("hi", "हिन्दी"))


def account(fake: SimServer, **overrides: str) -> dict[str, str]:
    """The channel account config pointing at the simulator."""
    return {"auth_key": AUTH_KEY, "webhook_secret": SECRET, "address": "+919220592205",
            "api_base": fake.api_base, **overrides}


def message(text: str, **fields: object) -> OutboundMessage:
    """An outbound message under the test template."""
    return OutboundMessage(CITIZEN, text, **{"template": REF, **fields})  # type: ignore[arg-type]


def send(fake: SimServer, outbound: OutboundMessage, **overrides: str) -> SendResult:
    """Send one message through the adapter built from the registry."""
    return build_adapter("msg91-sms", account(fake, **overrides)).send(outbound, "ignored")


# case -> (message, the JSON MSG91 must receive)
REQUESTS: dict[str, tuple[OutboundMessage, dict[str, object]]] = {
    "plain": (message("Update on complaint PB-AMR-2027-000042: Resolved."),
              {"sender": HEADER, "route": "4", "country": "91", "unicode": 0,
               "DLT_TE_ID": TEMPLATE_ID, "sms": [{
                   "message": "Update on complaint PB-AMR-2027-000042: Resolved.",
                   "to": ["919876543210"]}]}),
    "numbered_menu_unicode": (
        message("Please choose your language.", choices=LANGUAGES),
        {"sender": HEADER, "route": "4", "country": "91", "unicode": 1,
         "DLT_TE_ID": TEMPLATE_ID, "sms": [{
             "message": "Please choose your language.\n\n1. English\n2. हिन्दी",
             "to": ["919876543210"]}]}),
}


@pytest.mark.parametrize(("outbound", "expected"), REQUESTS.values(), ids=list(REQUESTS))
def test_request_carries_the_dlt_fields(fake_msg91: SimServer, outbound: OutboundMessage,
                                        expected: dict[str, object]) -> None:
    """Exactly this JSON, with the auth key as a header, reaches MSG91's send API."""
    result = send(fake_msg91, outbound)
    (made,) = simulator.received_requests()
    assert made == {"authkey": AUTH_KEY, "json": expected}
    (record,) = simulator.sent_to(CITIZEN)
    assert result == SendResult(record["request_id"], DeliveryStatus.QUEUED)


def test_route_and_sender_defaults_come_from_the_account(fake_msg91: SimServer) -> None:
    """A template without a header uses the account's sender; the route is configurable."""
    bare = OutboundMessage(CITIZEN, "hi", template=TemplateRef(TEMPLATE_ID, "en"))
    send(fake_msg91, bare, sender="NGRPBS", route="106")
    body = simulator.received_requests()[0]["json"]
    assert (body["sender"], body["route"]) == ("NGRPBS", "106")


@pytest.mark.parametrize("outbound", [
    OutboundMessage(CITIZEN, "free text, no template"),
    OutboundMessage(CITIZEN, "hi", template=TemplateRef(TEMPLATE_ID, "en")),
], ids=["no_template", "no_header"])
def test_missing_dlt_data_is_refused_before_any_request(fake_msg91: SimServer,
                                                        outbound: OutboundMessage) -> None:
    """Without a template or a header nothing is sent: ConfigError."""
    with pytest.raises(ConfigError):
        send(fake_msg91, outbound)
    assert simulator.received_requests() == []


# simulator fault (HTTP status, MSG91 code) -> (error, retryable)
FAULTS: dict[str, tuple[int | tuple[int, str], type[SendError], bool]] = {
    "429": (429, Throttled, True),
    "500": (500, ProviderDown, True),
    "503": (503, ProviderDown, True),
    "401_207_auth_key": ((401, "207"), ConfigError, False),
    "200_202_invalid_mobile": ((200, "202"), RecipientInvalid, False),
    "200_101_missing_mobile": ((200, "101"), RecipientInvalid, False),
    "200_301_balance": ((200, "301"), ConfigError, False),
    "200_418_ip_not_whitelisted": ((200, "418"), ConfigError, False),
    "200_311_duplicate": ((200, "311"), ConfigError, False),
    "400_no_code": (400, ConfigError, False),
}


@pytest.mark.parametrize(("fault", "error", "retryable"), FAULTS.values(), ids=list(FAULTS))
def test_error_mapping(fake_msg91: SimServer, fault: int | tuple[int, str],
                       error: type[SendError], retryable: bool) -> None:
    """Each MSG91 error answer (HTTP status or `type: error` code) maps onto the closed set."""
    simulator.inject_faults(fault)
    with pytest.raises(SendError) as caught:
        send(fake_msg91, message("hello"))
    assert type(caught.value) is error and caught.value.retryable is retryable
    assert simulator.sent_to(CITIZEN) == []


def test_simulator_validation_errors_map(fake_msg91: SimServer) -> None:
    """MSG91's own checks: a bad number is RecipientInvalid, a wrong key ConfigError."""
    with pytest.raises(RecipientInvalid):
        send(fake_msg91, OutboundMessage("+91123", "hi", template=REF))
    simulator.register_key(AUTH_KEY)
    with pytest.raises(ConfigError) as caught:
        send(fake_msg91, message("hi"), auth_key="0" * 24)
    assert caught.value.detail == "msg91 401/207"


def test_throttle_honours_retry_after() -> None:
    """A 429 with Retry-After waits that long; without one, our default."""
    config = {"auth_key": AUTH_KEY, "webhook_secret": SECRET}
    for header, delay in (("9", 9.0), (None, THROTTLE_DELAY)):
        headers = {"retry-after": header} if header else {}
        transport = httpx.MockTransport(lambda r, h=headers: httpx.Response(429, headers=h))
        with pytest.raises(Throttled) as caught:
            Adapter(config, transport=transport).send(message("hi"), None)
        assert caught.value.retry_after == delay


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"message": "x"}'])
def test_success_without_a_request_id_is_provider_down(body: bytes) -> None:
    """A 200 that is not MSG91's answer is the provider's fault (retryable), never a crash."""
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=body))
    with pytest.raises(ProviderDown):
        Adapter({"auth_key": AUTH_KEY, "webhook_secret": SECRET},
                transport=transport).send(message("hi"), None)


def test_injected_transport_sees_the_request() -> None:
    """The transport is swappable: a JSON POST with the auth key in a header, not the URL."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"type": "success", "message": "abc123"})
    adapter = Adapter({"auth_key": AUTH_KEY, "webhook_secret": SECRET},
                      transport=httpx.MockTransport(handler))
    assert adapter.send(message("hi"), None) == SendResult("abc123", DeliveryStatus.QUEUED)
    (request,) = seen
    assert str(request.url) == "https://api.msg91.com/api/v2/sendsms"
    assert request.headers["authkey"] == AUTH_KEY and AUTH_KEY not in str(request.url)
    assert json.loads(request.content)["DLT_TE_ID"] == TEMPLATE_ID


def test_connection_refused_and_proxies_ignored(fake_msg91: SimServer,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing listening is retryable; an HTTPS_PROXY in the environment changes nothing."""
    with pytest.raises(ConnectionFailed):
        send(fake_msg91, message("hello"), api_base=closed_port())
    monkeypatch.setenv("HTTP_PROXY", closed_port())
    assert send(fake_msg91, message("hello")).external_id


def test_delivery_report_round_trip(fake_msg91: SimServer) -> None:
    """Reports go to the panel's webhook URL (with our secret) and parse as StatusUpdates."""
    name = uuid.uuid4().hex
    simulator.configure_webhook(AUTH_KEY, fake_msg91.hook_url(name) + "?token=" + SECRET)
    simulator.script_delivery("+919812345678", "2", "FAILED", "Absent subscriber")
    adapter = build_adapter("msg91-sms", account(fake_msg91))
    ok = adapter.send(message("hello"), None)
    bad = adapter.send(OutboundMessage("+919812345678", "hello", template=REF), None)
    hooks = fake_msg91.wait_hooks(name, 2)
    updates = {e.external_id: e for h in hooks
               for e in adapter.handle_webhook(h.as_request(), "status").events}
    assert updates == {ok.external_id: StatusUpdate(ok.external_id, DeliveryStatus.DELIVERED),
                       bad.external_id: StatusUpdate(bad.external_id, DeliveryStatus.FAILED,
                                                     "2")}


def test_operator_scrubbing_rejects_later_and_silently(fake_msg91: SimServer) -> None:
    """A body off its template is accepted and later reported rejected; it never arrives."""
    name = uuid.uuid4().hex
    simulator.configure_webhook(AUTH_KEY, fake_msg91.hook_url(name) + "?token=" + SECRET)
    simulator.register_template(TEMPLATE_ID, "Update on complaint {#var#}: {#var#}.")
    adapter = build_adapter("msg91-sms", account(fake_msg91))
    bad = adapter.send(message("Complaint PB-1 is resolved!"), None)
    (hook,) = fake_msg91.wait_hooks(name, 1)
    assert adapter.handle_webhook(hook.as_request(), "status").events == (
        StatusUpdate(bad.external_id, DeliveryStatus.FAILED, "16"),)
    inbox = httpx.get(f"{fake_msg91.api_base}/phones/{CITIZEN}/inbox").json()
    assert inbox["messages"] == []


def test_terminal_phone_round_trip(fake_msg91: SimServer) -> None:
    """The phone sets the report URL in the simulated panel, texts the long code, reads."""
    name = uuid.uuid4().hex
    config = account(fake_msg91, webhook_url=fake_msg91.hook_url(name))
    phone = terminal_phone("msg91-sms", fake_msg91.base_url, CITIZEN, config)
    phone.send("नमस्ते")
    (hook,) = fake_msg91.wait_hooks(name, 1)
    adapter = build_adapter("msg91-sms", config)
    (event,) = adapter.handle_webhook(hook.as_request(), "inbound").events
    assert isinstance(event, InboundEvent)
    assert (event.sender, event.recipient, event.text) == ("919876543210", "919220592205",
                                                           "नमस्ते")
    result = adapter.send(message("Choose", choices=LANGUAGES), None)
    assert phone.receive(timeout=2) == ["Choose\n\n1. English\n2. हिन्दी"]
    (report,) = fake_msg91.wait_hooks(name + "/status", 1)
    assert adapter.handle_webhook(report.as_request(), "status").events == (
        StatusUpdate(result.external_id, DeliveryStatus.DELIVERED),)


def test_demo_account_builds_and_keeps_its_credentials() -> None:
    """The simulated account is a valid config; its generated secrets survive restarts."""
    config, keep = simulator.demo_account("http://127.0.0.1:8000")
    assert build_adapter("msg91-sms", config).address == simulator.DEMO_LONG_CODE
    assert set(keep) == {"auth_key", "webhook_secret"}
