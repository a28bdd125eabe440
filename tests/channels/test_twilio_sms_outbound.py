"""Twilio SMS sending through the real SDK against the local simulator, and its error table."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import pytest
import requests
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.request_validator import RequestValidator

from channels.contract import (
    Choice,
    DeliveryStatus,
    InboundEvent,
    OutboundMessage,
    SendResult,
    StatusUpdate,
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
from channels.registry import build_adapter, terminal_phone
from channels.twilio_sms import simulator
from channels.twilio_sms.client import THROTTLE_DELAY, map_error

if TYPE_CHECKING:
    from tests.channels.conftest import FakeTwilio

ACCOUNT_SID = "ACa1b2c3d4e5f60718293a4b5c6d7e8f90"
AUTH_TOKEN = "9c1f0e2d3b4a59687766554433221100"
OURS = "+12185550142"
CITIZEN = "+919876543210"


def account(fake: FakeTwilio, **overrides: str) -> dict[str, str]:
    """The channel account config pointing at the simulator."""
    return {"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN, "address": OURS,
            "api_base": fake.api_base, **overrides}


def send(fake: FakeTwilio, message: OutboundMessage, callback: str | None = None,
         **overrides: str) -> SendResult:
    """Send one message through the adapter built from the registry."""
    return build_adapter("twilio-sms", account(fake, **overrides)).send(message, callback)


LANGUAGES = (Choice("en", "English"), Choice("hi", "हिन्दी"), Choice("pa", "ਪੰਜਾਬੀ"))

# message -> the exact Body the SDK must post.
BODIES: dict[str, tuple[OutboundMessage, str]] = {
    "plain": (OutboundMessage(CITIZEN, "Grievance PB-0042 registered."),
              "Grievance PB-0042 registered."),
    "language_menu": (OutboundMessage(CITIZEN, "Choose your language", choices=LANGUAGES),
                      "Choose your language\n\n1. English\n2. हिन्दी\n3. ਪੰਜਾਬੀ"),
    "menu_without_text": (OutboundMessage(CITIZEN, "", choices=(Choice("y", "Yes"),
                                                                Choice("n", "No"))),
                          "1. Yes\n2. No"),
    "hindi_text": (OutboundMessage(CITIZEN, "आपकी शिकायत दर्ज हो गई है।", language="hi"),
                   "आपकी शिकायत दर्ज हो गई है।"),
}


@pytest.mark.parametrize(("message", "body"), BODIES.values(), ids=list(BODIES))
def test_request_the_sdk_makes(fake_twilio: FakeTwilio, message: OutboundMessage,
                               body: str) -> None:
    """Exactly To, From, Body and StatusCallback reach Twilio's Messages resource."""
    callback = fake_twilio.hook_url("status")
    result = send(fake_twilio, message, callback)
    (made,) = simulator.received_requests()
    assert made["account_sid"] == ACCOUNT_SID and made["auth_user"] == ACCOUNT_SID
    assert made["form"] == {"To": CITIZEN, "From": OURS, "Body": body,
                            "StatusCallback": callback}
    (record,) = simulator.sent_to(CITIZEN)
    assert result == SendResult(record["sid"], DeliveryStatus.QUEUED)
    assert result.external_id.startswith("SM") and len(result.external_id) == 34


def test_no_status_callback_is_not_sent(fake_twilio: FakeTwilio) -> None:
    """Without a callback URL the SDK omits the StatusCallback field altogether."""
    send(fake_twilio, OutboundMessage(CITIZEN, "hello"), None)
    (made,) = simulator.received_requests()
    assert "StatusCallback" not in made["form"]


# simulator fault (HTTP status, Twilio code) -> (error, retryable, retry_after)
FAULTS: dict[str, tuple[int | tuple[int, int], type[SendError], bool, float | None]] = {
    "429_too_many_requests": (429, Throttled, True, THROTTLE_DELAY),
    "500_internal_error": (500, ProviderDown, True, None),
    "503_unavailable": ((503, 20503), ProviderDown, True, None),
    "400_21211_invalid_to": ((400, 21211), RecipientInvalid, False, None),
    "400_21614_not_mobile": ((400, 21614), RecipientInvalid, False, None),
    "400_21610_unsubscribed": ((400, 21610), ContactStopped, False, None),
    "400_21606_bad_from": ((400, 21606), ConfigError, False, None),
    "400_21408_geo_permission": ((400, 21408), ConfigError, False, None),
    "401_20003_authenticate": ((401, 20003), ConfigError, False, None),
}


@pytest.mark.parametrize(("fault", "error", "retryable", "retry_after"), FAULTS.values(),
                         ids=list(FAULTS))
def test_error_mapping(fake_twilio: FakeTwilio, fault: int | tuple[int, int],
                       error: type[SendError], retryable: bool,
                       retry_after: float | None) -> None:
    """Each Twilio error answer becomes one error of the closed set, with its retry advice."""
    simulator.inject_faults(fault)
    with pytest.raises(SendError) as caught:
        send(fake_twilio, OutboundMessage(CITIZEN, "hello"), fake_twilio.hook_url("status"))
    assert type(caught.value) is error
    assert caught.value.retryable is retryable
    assert caught.value.retry_after == retry_after
    assert simulator.sent_to(CITIZEN) == []


def test_next_send_after_a_fault_succeeds(fake_twilio: FakeTwilio) -> None:
    """Faults are consumed one per request, so a retry goes through."""
    simulator.inject_faults(500)
    with pytest.raises(ProviderDown):
        send(fake_twilio, OutboundMessage(CITIZEN, "hello"))
    assert send(fake_twilio, OutboundMessage(CITIZEN, "hello")).external_id


def test_wrong_credentials(fake_twilio: FakeTwilio) -> None:
    """A wrong auth token is a ConfigError: no retry can fix it."""
    simulator.register_account(ACCOUNT_SID, AUTH_TOKEN)
    with pytest.raises(ConfigError) as caught:
        send(fake_twilio, OutboundMessage(CITIZEN, "hello"), auth_token="0" * 32)
    assert not caught.value.retryable
    assert caught.value.detail == "twilio 401/20003"
    assert simulator.sent_to(CITIZEN) == []


def test_connection_refused(fake_twilio: FakeTwilio, closed_port_url: str) -> None:
    """Nothing listening at the API base is a retryable ConnectionFailed."""
    with pytest.raises(ConnectionFailed) as caught:
        send(fake_twilio, OutboundMessage(CITIZEN, "hello"), api_base=closed_port_url)
    assert caught.value.retryable


def test_process_environment_cannot_redirect_sends(fake_twilio: FakeTwilio,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   closed_port_url: str) -> None:
    """TWILIO_EDGE/TWILIO_REGION in the environment do not move traffic off `api_base`."""
    monkeypatch.setenv("TWILIO_EDGE", "singapore")
    monkeypatch.setenv("TWILIO_REGION", "sg1")
    monkeypatch.setenv("HTTPS_PROXY", closed_port_url)  # a regression fails fast, offline
    result = send(fake_twilio, OutboundMessage(CITIZEN, "hello"))
    assert [m["sid"] for m in simulator.sent_to(CITIZEN)] == [result.external_id]


def test_status_callbacks_are_signed_and_parse(fake_twilio: FakeTwilio) -> None:
    """The simulator calls back sent then delivered, signed as Twilio signs, for our adapter."""
    name = uuid.uuid4().hex
    adapter = build_adapter("twilio-sms", account(fake_twilio))
    result = adapter.send(OutboundMessage(CITIZEN, "hello"), fake_twilio.hook_url(name))
    hooks = fake_twilio.wait_hooks(name, 2)
    for hook in hooks:
        signature = hook.headers["x-twilio-signature"]
        assert RequestValidator(AUTH_TOKEN).validate(hook.url, hook.form, signature)
        assert not RequestValidator("0" * 32).validate(hook.url, hook.form, signature)
        assert hook.form["AccountSid"] == ACCOUNT_SID and hook.form["To"] == CITIZEN
    updates = [adapter.handle_webhook(h.as_request(), "status").events for h in hooks]
    assert updates == [(StatusUpdate(result.external_id, DeliveryStatus.SENT),),
                       (StatusUpdate(result.external_id, DeliveryStatus.DELIVERED),)]


def test_undelivered_callback_carries_the_error_code(fake_twilio: FakeTwilio) -> None:
    """A scripted carrier failure arrives as FAILED with Twilio's ErrorCode."""
    name = uuid.uuid4().hex
    simulator.script_delivery(CITIZEN, "sent", "undelivered", error_code="30003")
    adapter = build_adapter("twilio-sms", account(fake_twilio))
    sid = adapter.send(OutboundMessage(CITIZEN, "hello"), fake_twilio.hook_url(name)).external_id
    hooks = fake_twilio.wait_hooks(name, 2)
    last = adapter.handle_webhook(hooks[-1].as_request(), "status").events
    assert last == (StatusUpdate(sid, DeliveryStatus.FAILED, "30003"),)


def test_terminal_phone_round_trip(fake_twilio: FakeTwilio) -> None:
    """The terminal phone posts signed inbound webhooks and reads what we sent it."""
    name = uuid.uuid4().hex
    config = account(fake_twilio, webhook_url=fake_twilio.hook_url(name))
    phone = terminal_phone("twilio-sms", fake_twilio.base_url, CITIZEN, config)
    phone.send("नमस्ते")
    (hook,) = fake_twilio.wait_hooks(name, 1)
    adapter = build_adapter("twilio-sms", config)
    (event,) = adapter.handle_webhook(hook.as_request(), "inbound").events
    assert isinstance(event, InboundEvent)
    assert (event.sender, event.recipient, event.text) == (CITIZEN, OURS, "नमस्ते")
    adapter.send(OutboundMessage(CITIZEN, "Choose", choices=LANGUAGES[:2]), None)
    assert phone.receive(timeout=2) == ["Choose\n\n1. English\n2. हिन्दी"]
    assert phone.receive(timeout=0) == []


def _rest(status: int, code: int | None) -> TwilioRestException:
    """An SDK error as raised for a legacy Twilio error body."""
    return TwilioRestException(status, "/2010-04-01/Accounts/AC/Messages.json", "x", code, "POST")


def _problem(status: int, code: int) -> TwilioServiceException:
    """An SDK error as raised for an RFC 9457 problem-details body."""
    return TwilioServiceException("https://www.twilio.com/docs/errors/x", "x", status, code)


# exceptions the simulator cannot provoke -> the send error they must become
MAPPED: dict[str, tuple[Exception, type[SendError]]] = {
    "rest_429_no_code": (_rest(429, None), Throttled),
    "rest_20429_code": (_rest(400, 20429), Throttled),
    "rest_403": (_rest(403, 20003), ConfigError),
    "rest_404_20404": (_rest(404, 20404), ConfigError),
    "rest_502_no_code": (_rest(502, None), ProviderDown),
    "rest_400_unknown_code": (_rest(400, 21999), ConfigError),
    "problem_429": (_problem(429, 20429), Throttled),
    "problem_503": (_problem(503, 20503), ProviderDown),
    "problem_21211": (_problem(400, 21211), RecipientInvalid),
    "problem_21610": (_problem(400, 21610), ContactStopped),
    "read_timeout": (requests.exceptions.ReadTimeout(), ConnectionFailed),
    "connect_timeout": (requests.exceptions.ConnectTimeout(), ConnectionFailed),
    "ssl_error": (requests.exceptions.SSLError(), ConnectionFailed),
}


@pytest.mark.parametrize(("exc", "error"), MAPPED.values(), ids=list(MAPPED))
def test_map_error(exc: Exception, error: type[SendError]) -> None:
    """SDK and transport exceptions map onto the closed set, whatever error format Twilio uses."""
    assert type(map_error(exc)) is error


def test_map_error_reraises_what_it_does_not_know() -> None:
    """A programming error is not disguised as a send failure."""
    with pytest.raises(KeyError):
        map_error(KeyError("x"))
