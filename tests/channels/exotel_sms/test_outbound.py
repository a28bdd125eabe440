"""Exotel SMS sending against the local simulator: DLT fields on the wire, errors, callbacks."""

from __future__ import annotations

import json
import uuid
from urllib.parse import parse_qsl, urlsplit

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
    ContactStopped,
    ProviderDown,
    RecipientInvalid,
    SendError,
    Throttled,
)
from channels.exotel_sms import simulator
from channels.exotel_sms.adapter import Adapter
from channels.exotel_sms.client import THROTTLE_DELAY
from channels.registry import build_adapter, terminal_phone
from tests.channels.exotel_sms.server import SimServer, closed_port

SID = "nagarsetu1"
KEY, TOKEN = "4c0ffee15900d5e7a1b2c3d4e5f60718", "9c1f0e2d3b4a59687766554433221100"
SECRET = "pQ7vN2kX9sLm4TzR8wYb3HcJ"
CITIZEN = "+919876543210"
ENTITY, HEADER, TEMPLATE_ID = "1101000000000004242", "NGRSTU", "1107161234567890123"
REF = TemplateRef(TEMPLATE_ID, "en", (), {"entity_id": ENTITY, "header": HEADER})


def account(fake: SimServer, **overrides: str) -> dict[str, str]:
    """The channel account config pointing at the simulator."""
    return {"account_sid": SID, "api_key": KEY, "api_token": TOKEN, "webhook_secret": SECRET,
            "address": "+918047091234", "api_base": fake.api_base, **overrides}


def message(text: str, **fields: object) -> OutboundMessage:
    """An outbound message under the test template."""
    return OutboundMessage(CITIZEN, text, **{"template": REF, **fields})  # type: ignore[arg-type]


def send(fake: SimServer, outbound: OutboundMessage, callback: str | None = None,
         **overrides: str) -> SendResult:
    """Send one message through the adapter built from the registry."""
    return build_adapter("exotel-sms", account(fake, **overrides)).send(outbound, callback)


LANGUAGES = (Choice("en", "English"), Choice("hi", "हिन्दी"))

# case -> (message, fields the simulator must receive beyond To/From/DLT ids)
REQUESTS: dict[str, tuple[OutboundMessage, dict[str, str]]] = {
    "plain": (message("Update on complaint PB-AMR-2027-000042: Resolved.", reference="m1"),
              {"Body": "Update on complaint PB-AMR-2027-000042: Resolved.",
               "EncodingType": "plain", "SmsType": "transactional", "CustomField": "m1"}),
    "numbered_menu": (message("Please choose your language.", choices=LANGUAGES),
                      {"Body": "Please choose your language.\n\n1. English\n2. हिन्दी",
                       "EncodingType": "unicode", "SmsType": "transactional"}),
    "hindi": (message("शिकायत दर्ज हो गई।", language="hi"),
              {"Body": "शिकायत दर्ज हो गई।", "EncodingType": "unicode",
               "SmsType": "transactional"}),
    "sms_type_from_template": (
        OutboundMessage(CITIZEN, "hi", template=TemplateRef(TEMPLATE_ID, "en", (), {
            "entity_id": ENTITY, "header": HEADER, "sms_type": "transactional_opt_in"})),
        {"Body": "hi", "EncodingType": "plain", "SmsType": "transactional_opt_in"}),
}


@pytest.mark.parametrize(("outbound", "fields"), REQUESTS.values(), ids=list(REQUESTS))
def test_request_carries_the_dlt_fields(fake_exotel: SimServer, outbound: OutboundMessage,
                                        fields: dict[str, str]) -> None:
    """Exactly these form fields reach Exotel, DLT entity, header and template id included."""
    callback = fake_exotel.hook_url("status")
    result = send(fake_exotel, outbound, callback)
    (made,) = simulator.received_requests()
    assert made["account_sid"] == SID and made["auth_user"] == KEY
    form = dict(made["form"])
    status_url = form.pop("StatusCallback")
    assert form == {"From": HEADER, "To": CITIZEN, "DltEntityId": ENTITY,
                    "DltTemplateId": TEMPLATE_ID, **fields}
    assert status_url.split("?")[0] == callback
    assert dict(parse_qsl(urlsplit(status_url).query)) == {"token": SECRET}
    (record,) = simulator.sent_to(CITIZEN)
    assert result == SendResult(record["sid"], DeliveryStatus.QUEUED)


def test_account_defaults_fill_what_the_template_leaves_out(fake_exotel: SimServer) -> None:
    """Entity id and header may live on the account; the template's own win when present."""
    bare = OutboundMessage(CITIZEN, "hi", template=TemplateRef(TEMPLATE_ID, "en"))
    send(fake_exotel, bare, entity_id="1101999999999999999", sender="NGRPBS")
    form = simulator.received_requests()[0]["form"]
    assert (form["DltEntityId"], form["From"]) == ("1101999999999999999", "NGRPBS")
    send(fake_exotel, message("hi"), entity_id="1101999999999999999", sender="NGRPBS")
    form = simulator.received_requests()[1]["form"]
    assert (form["DltEntityId"], form["From"]) == (ENTITY, HEADER)


def test_no_callback_no_status_callback_field(fake_exotel: SimServer) -> None:
    """Without a callback URL nothing is asked to call back."""
    send(fake_exotel, message("hello"))
    assert "StatusCallback" not in simulator.received_requests()[0]["form"]


@pytest.mark.parametrize("outbound", [
    OutboundMessage(CITIZEN, "free text, no template"),
    OutboundMessage(CITIZEN, "hi", template=TemplateRef(TEMPLATE_ID, "en", (), {"header": "X"})),
], ids=["no_template", "no_entity_id"])
def test_missing_dlt_data_is_refused_before_any_request(fake_exotel: SimServer,
                                                        outbound: OutboundMessage) -> None:
    """A send without a template or an entity id is a ConfigError; nothing reaches Exotel."""
    with pytest.raises(ConfigError):
        send(fake_exotel, outbound)
    assert simulator.received_requests() == []


# simulator fault -> (error, retryable)
FAULTS: dict[str, tuple[int | tuple[int, str], type[SendError], bool]] = {
    "429_rate_limit": (429, Throttled, True),
    "500_internal": (500, ProviderDown, True),
    "502_bad_gateway": (502, ProviderDown, True),
    "503_unavailable": (503, ProviderDown, True),
    "401_unauthorized": ((401, "UNAUTHORIZED"), ConfigError, False),
    "403_forbidden": (403, ConfigError, False),
    "400_invalid_to": ((400, "INVALID_TO"), RecipientInvalid, False),
    "400_dnd": ((400, "FAILED_DND"), ContactStopped, False),
    "400_unknown_code": ((400, "SOMETHING_ELSE"), ConfigError, False),
    "409_conflict": (409, ConfigError, False),
}


@pytest.mark.parametrize(("fault", "error", "retryable"), FAULTS.values(), ids=list(FAULTS))
def test_error_mapping(fake_exotel: SimServer, fault: int | tuple[int, str],
                       error: type[SendError], retryable: bool) -> None:
    """Each Exotel error answer becomes one error of the closed set, with its retry advice."""
    simulator.inject_faults(fault)
    with pytest.raises(SendError) as caught:
        send(fake_exotel, message("hello"))
    assert type(caught.value) is error and caught.value.retryable is retryable
    assert simulator.sent_to(CITIZEN) == []


def test_simulator_validation_errors_map(fake_exotel: SimServer) -> None:
    """Exotel's own 400s: a bad number is RecipientInvalid, a missing field ConfigError."""
    with pytest.raises(RecipientInvalid):
        send(fake_exotel, OutboundMessage("not-a-number", "hi", template=REF))
    with pytest.raises(ConfigError):
        send(fake_exotel, message(""))


def test_throttle_honours_retry_after() -> None:
    """A 429 with Retry-After waits that long; without one, our default."""
    def answer(seconds: str | None) -> httpx.MockTransport:
        headers = {"retry-after": seconds} if seconds else {}
        return httpx.MockTransport(lambda request: httpx.Response(429, headers=headers))
    config = {"account_sid": SID, "api_key": KEY, "api_token": TOKEN, "webhook_secret": SECRET}
    for header, delay in (("17", 17.0), (None, THROTTLE_DELAY), ("soon", THROTTLE_DELAY)):
        with pytest.raises(Throttled) as caught:
            Adapter(config, transport=answer(header)).send(message("hi"), None)
        assert caught.value.retry_after == delay


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"SMSMessage": {}}', b"{}"])
def test_success_without_a_sid_is_provider_down(body: bytes) -> None:
    """A 200 that names no message is the provider's fault (retryable), never a crash."""
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=body))
    config = {"account_sid": SID, "api_key": KEY, "api_token": TOKEN, "webhook_secret": SECRET}
    with pytest.raises(ProviderDown):
        Adapter(config, transport=transport).send(message("hi"), None)


def test_injected_transport_sees_the_request() -> None:
    """The transport is swappable: the request is a Basic-authenticated form POST."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"SMSMessage": {"Sid": "abc123", "Status": "queued"}})
    config = {"account_sid": SID, "api_key": KEY, "api_token": TOKEN, "webhook_secret": SECRET}
    result = Adapter(config, transport=httpx.MockTransport(handler)).send(message("hi"), None)
    assert result == SendResult("abc123", DeliveryStatus.QUEUED)
    (request,) = seen
    assert str(request.url) == f"https://api.exotel.com/v1/Accounts/{SID}/Sms/send.json"
    assert request.headers["authorization"].startswith("Basic ")
    assert dict(parse_qsl(request.content.decode()))["DltTemplateId"] == TEMPLATE_ID


def test_wrong_credentials(fake_exotel: SimServer) -> None:
    """A wrong API token is a ConfigError: no retry can fix it."""
    simulator.register_account(SID, KEY, TOKEN)
    with pytest.raises(ConfigError) as caught:
        send(fake_exotel, message("hello"), api_token="0" * 32)
    assert caught.value.detail == "exotel 401/UNAUTHORIZED"


def test_connection_refused_and_proxies_ignored(fake_exotel: SimServer,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing listening is retryable; an HTTPS_PROXY in the environment changes nothing."""
    with pytest.raises(ConnectionFailed) as caught:
        send(fake_exotel, message("hello"), api_base=closed_port())
    assert caught.value.retryable
    monkeypatch.setenv("HTTP_PROXY", closed_port())
    monkeypatch.setenv("HTTPS_PROXY", closed_port())
    assert send(fake_exotel, message("hello")).external_id


def test_status_callback_round_trip(fake_exotel: SimServer) -> None:
    """The simulator calls back with our secret in the URL; the adapter accepts and parses it."""
    name = uuid.uuid4().hex
    adapter = build_adapter("exotel-sms", account(fake_exotel))
    result = adapter.send(message("hello", reference="msg-1"), fake_exotel.hook_url(name))
    (hook,) = fake_exotel.wait_hooks(name, 1)
    assert hook.form["CustomField"] == "msg-1"
    assert adapter.handle_webhook(hook.as_request(), "status").events == (
        StatusUpdate(result.external_id, DeliveryStatus.DELIVERED),)


def test_operator_scrubbing_fails_later_and_silently(fake_exotel: SimServer) -> None:
    """Without our own check, a body off its template is accepted (200) and then fails: the
    handset never sees it. This is why delivery refuses mismatches before sending."""
    name = uuid.uuid4().hex
    simulator.register_template(TEMPLATE_ID, "Update on complaint {#var#}: {#var#}.")
    adapter = build_adapter("exotel-sms", account(fake_exotel))
    phone = terminal_phone("exotel-sms", fake_exotel.base_url, CITIZEN,
                           account(fake_exotel, webhook_url=fake_exotel.hook_url("in")))
    good = adapter.send(message("Update on complaint PB-1: Resolved."), fake_exotel.hook_url(name))
    bad = adapter.send(message("Complaint PB-1 is resolved!"), fake_exotel.hook_url(name))
    hooks = fake_exotel.wait_hooks(name, 2)
    updates = {u.external_id: u for h in hooks for u in adapter.handle_webhook(
        h.as_request(), "status").events if isinstance(u, StatusUpdate)}
    assert updates[good.external_id].status is DeliveryStatus.DELIVERED
    assert updates[bad.external_id] == StatusUpdate(bad.external_id, DeliveryStatus.FAILED,
                                                    "23185")
    assert phone.receive(timeout=1) == ["Update on complaint PB-1: Resolved."]


def test_scrubbing_allows_30_characters_per_placeholder() -> None:
    """The simulator's independent scrubber applies the same TRAI limit."""
    template = "Details: {#var#}{#var#}\nShall we?"
    assert simulator.scrub("Details: " + "x" * 60 + "\nShall we?", template)
    assert not simulator.scrub("Details: " + "x" * 61 + "\nShall we?", template)


def test_terminal_phone_round_trip(fake_exotel: SimServer) -> None:
    """The terminal phone sends incoming SMS as Exotel's applet does (HEAD, then GET), with the
    secret; reads its inbox."""
    name = uuid.uuid4().hex
    config = account(fake_exotel, webhook_url=fake_exotel.hook_url(name))
    phone = terminal_phone("exotel-sms", fake_exotel.base_url, CITIZEN, config)
    phone.send("नमस्ते")
    probe, hook = fake_exotel.wait_hooks(name, 2)
    assert (probe.method, hook.method, hook.body) == ("HEAD", "GET", b"")
    adapter = build_adapter("exotel-sms", config)
    assert adapter.handle_webhook(probe.as_request(), "inbound").events == ()
    (event,) = adapter.handle_webhook(hook.as_request(), "inbound").events
    assert isinstance(event, InboundEvent)
    assert (event.sender, event.recipient, event.text) == ("09876543210", "08047091234",
                                                           "नमस्ते")
    adapter.send(message("Choose", choices=LANGUAGES), None)
    assert phone.receive(timeout=2) == ["Choose\n\n1. English\n2. हिन्दी"]
    assert phone.receive(timeout=0) == []


def test_demo_account_builds_and_keeps_its_credentials() -> None:
    """The simulated account is a valid config; its generated secrets survive restarts."""
    config, keep = simulator.demo_account("http://127.0.0.1:8000")
    assert build_adapter("exotel-sms", config).address == simulator.DEMO_EXOPHONE
    assert set(keep) == {"account_sid", "api_key", "api_token", "webhook_secret"}
    assert config["api_base"] == "http://127.0.0.1:8000/sim/exotel-sms"
    assert json.dumps(config)  # plain strings, storable as encrypted JSON


def test_basic_callback_auth_keeps_the_secret_out_of_the_url_query(fake_exotel: SimServer) -> None:
    """`callback_auth: basic` puts the secret in the callback URL's userinfo; Exotel's client
    turns it into a Basic header, which the adapter accepts."""
    name = uuid.uuid4().hex
    adapter = build_adapter("exotel-sms", account(fake_exotel, callback_auth="basic"))
    result = adapter.send(message("hello"), fake_exotel.hook_url(name))
    status_url = simulator.received_requests()[0]["form"]["StatusCallback"]
    assert urlsplit(status_url).password == SECRET and "token=" not in status_url
    (hook,) = fake_exotel.wait_hooks(name, 1)
    assert "token=" not in hook.url and hook.headers["authorization"].startswith("Basic ")
    assert adapter.handle_webhook(hook.as_request(), "status").events == (
        StatusUpdate(result.external_id, DeliveryStatus.DELIVERED),)
