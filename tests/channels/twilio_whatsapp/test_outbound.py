"""Sending WhatsApp through the real SDK against the simulator: text, content, templates, errors."""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

import pytest
import requests
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.request_validator import RequestValidator

from channels.contract import (
    Choice,
    DeliveryStatus,
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
from channels.registry import build_adapter
from channels.twilio_sms.client import THROTTLE_DELAY
from channels.twilio_whatsapp import simulator
from channels.twilio_whatsapp.client import (
    CHANNEL_THROTTLE_DELAY,
    WHATSAPP_ERRORS,
    error_for_code,
    map_error,
)
from channels.twilio_whatsapp.content import Interactive, shorten

if TYPE_CHECKING:
    from tests.channels.twilio_whatsapp.conftest import FakeWhatsApp

ACCOUNT_SID = "ACa1b2c3d4e5f60718293a4b5c6d7e8f90"
AUTH_TOKEN = "5e0d1c2b3a4958677685a4b3c2d1e0f9"
OURS = "+14155238886"
CITIZEN = "+919876543210"
TO, FROM = "whatsapp:" + CITIZEN, "whatsapp:" + OURS
QUICK = {n: simulator.demo_sid(Interactive.QUICK_REPLY, n) for n in (1, 2, 3)}
LIST = {n: simulator.demo_sid(Interactive.LIST_PICKER, n) for n in range(1, 11)}
NOTIFY = "HX5f4e3d2c1b0a99887766554433221100"  # an approved grievance-update template
INTERACTIVE = {"quick_reply_content_sids": ",".join(f"{n}:{s}" for n, s in QUICK.items()),
               "list_picker_content_sids": ",".join(f"{n}:{s}" for n, s in LIST.items())}


def account(fake: FakeWhatsApp, **overrides: str) -> dict[str, str]:
    """The channel account config pointing at the simulator."""
    return {"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN, "address": FROM,
            "api_base": fake.api_base, **overrides}


def send(fake: FakeWhatsApp, message: OutboundMessage, callback: str | None = None,
         **overrides: str) -> SendResult:
    """Send one message through the adapter built from the registry."""
    return build_adapter("twilio-whatsapp", account(fake, **overrides)).send(message, callback)


def content(sid: str, variables: dict[str, str]) -> dict[str, str]:
    """The form fields of a content send."""
    return {"ContentSid": sid, "ContentVariables": json.dumps(variables, ensure_ascii=False)}


LANGUAGES = (Choice("en", "English"), Choice("hi", "हिन्दी"), Choice("pa", "ਪੰਜਾਬੀ"))
YES_NO = (Choice("yes", "हाँ"), Choice("no", "नहीं"))
MENU = (Choice("grievance", "शिकायत दर्ज करें"), Choice("track", "शिकायत की स्थिति"),
        Choice("language", "भाषा बदलें"), Choice("help", "मदद"))
MID = (Choice("w1", "Streetlight not working"), Choice("w2", "Water supply irregular"))
LONG = (Choice("s1", "Sewerage blockage / overflow"),
        Choice("s2", "Road potholes near the bus stand"))
CLASH = (Choice("a", "Garbage not collected in ward 7"),
         Choice("b", "Garbage not collected in ward 8"))
PICKED = {"1": "भाषा चुनें", "2": "English", "3": "en", "4": "हिन्दी", "5": "hi",
          "6": "ਪੰਜਾਬੀ", "7": "pa"}


def msg(text: str, choices: tuple[Choice, ...] = (), **kw: Any) -> OutboundMessage:
    """A message to the citizen."""
    return OutboundMessage(CITIZEN, text, choices=choices, **kw)


# name -> (message, account config overrides, the content fields Twilio must receive)
SENDS: dict[str, tuple[OutboundMessage, dict[str, str], dict[str, str]]] = {
    "text": (msg("शिकायत PB-AMR-2025-000042 दर्ज हो गई है।"), {},
             {"Body": "शिकायत PB-AMR-2025-000042 दर्ज हो गई है।"}),
    "choices_without_content_are_a_numbered_menu": (
        msg("भाषा चुनें", LANGUAGES), {},
        {"Body": "भाषा चुनें\n\n1. English\n2. हिन्दी\n3. ਪੰਜਾਬੀ"}),
    "three_choices_are_quick_replies": (msg("भाषा चुनें", LANGUAGES), INTERACTIVE,
                                        content(QUICK[3], PICKED)),
    "yes_no_are_quick_replies": (
        msg("पुष्टि करें?", YES_NO), INTERACTIVE,
        content(QUICK[2], {"1": "पुष्टि करें?", "2": "हाँ", "3": "yes", "4": "नहीं", "5": "no"})),
    "four_choices_are_a_list": (
        msg("मुख्य मेनू", MENU), INTERACTIVE,
        content(LIST[4], {"1": "मुख्य मेनू", "2": "शिकायत दर्ज करें", "3": "grievance",
                          "4": "शिकायत की स्थिति", "5": "track", "6": "भाषा बदलें",
                          "7": "language", "8": "मदद", "9": "help"})),
    "titles_too_long_for_buttons_go_in_a_list": (
        msg("Category?", MID), INTERACTIVE,
        content(LIST[2], {"1": "Category?", "2": "Streetlight not working", "3": "w1",
                          "4": "Water supply irregular", "5": "w2"})),
    "titles_too_long_for_a_list_are_shortened": (
        msg("Category?", LONG), INTERACTIVE,
        content(LIST[2], {"1": "Category?", "2": "Sewerage blockage /…", "3": "s1",
                          "4": "Road potholes near the…", "5": "s2"})),
    "quick_replies_shortened_when_there_is_no_list": (
        msg("Category?", LONG), {"quick_reply_content_sids": f"2:{QUICK[2]}"},
        content(QUICK[2], {"1": "Category?", "2": "Sewerage blockage…", "3": "s1",
                           "4": "Road potholes near…", "5": "s2"})),
    "titles_alike_once_shortened_are_a_numbered_menu": (
        msg("Which?", CLASH), INTERACTIVE,
        {"Body": "Which?\n\n1. Garbage not collected in ward 7\n"
                 "2. Garbage not collected in ward 8"}),
    "no_template_for_that_many_is_a_numbered_menu": (
        msg("मुख्य मेनू", MENU), {"quick_reply_content_sids": f"2:{QUICK[2]}"},
        {"Body": "मुख्य मेनू\n\n1. शिकायत दर्ज करें\n2. शिकायत की स्थिति\n3. भाषा बदलें\n4. मदद"}),
    "choices_without_text_are_a_numbered_menu": (
        msg("", YES_NO), INTERACTIVE, {"Body": "1. हाँ\n2. नहीं"}),
    "eleven_choices_are_a_numbered_menu": (
        msg("Ward?", tuple(Choice(f"w{i}", f"Ward {i}") for i in range(1, 12))), INTERACTIVE,
        {"Body": "Ward?\n\n" + "\n".join(f"{i}. Ward {i}" for i in range(1, 12))}),
    "photo": (msg("Receipt", media_url="https://nagarsetu.example.in/r/42.png"), {},
              {"Body": "Receipt", "MediaUrl": "https://nagarsetu.example.in/r/42.png"}),
    "template_outside_the_window": (
        msg("Your grievance was resolved", window_open=False,
            template=TemplateRef(NOTIFY, "hi", ("PB-AMR-2025-000042", "निपटाई गई"))), {},
        content(NOTIFY, {"1": "PB-AMR-2025-000042", "2": "निपटाई गई"})),
    "template_variables_lose_line_breaks": (
        msg("x", window_open=False, template=TemplateRef(NOTIFY, "en", ("a\nb", "c\t\td  e"))),
        {}, content(NOTIFY, {"1": "a b", "2": "c d e"})),
    "template_without_variables": (
        msg("x", LANGUAGES, window_open=False, template=TemplateRef(NOTIFY, "en")), INTERACTIVE,
        {"ContentSid": NOTIFY}),
    "template_unused_inside_the_window": (
        msg("Resolved", template=TemplateRef(NOTIFY, "en", ("x",))), {}, {"Body": "Resolved"}),
}


@pytest.mark.parametrize(("message", "config", "fields"), SENDS.values(), ids=list(SENDS))
def test_request_the_sdk_makes(fake_whatsapp: FakeWhatsApp, message: OutboundMessage,
                               config: dict[str, str], fields: dict[str, str]) -> None:
    """Exactly these fields reach Twilio's Messages resource, from and to `whatsapp:` numbers."""
    callback = fake_whatsapp.hook_url("status")
    result = send(fake_whatsapp, message, callback, **config)
    (made,) = simulator.received_requests()
    assert made["account_sid"] == ACCOUNT_SID
    assert made["form"] == {"To": TO, "From": FROM, "StatusCallback": callback, **fields}
    (record,) = simulator.sent_to(CITIZEN)
    assert result == SendResult(record["sid"], DeliveryStatus.QUEUED)


def test_messaging_service_is_named_when_configured(fake_whatsapp: FakeWhatsApp) -> None:
    """A configured Messaging Service goes along with From; no callback URL, no field."""
    service = "MG5d4c3b2a1908f7e6d5c4b3a291807f6e"
    send(fake_whatsapp, msg("hello"), None, messaging_service_sid=service)
    (made,) = simulator.received_requests()
    assert made["form"] == {"To": TO, "From": FROM, "Body": "hello",
                            "MessagingServiceSid": service}


# label, limit -> the title shown
SHORTENED: dict[str, tuple[str, int, str]] = {
    "fits": ("मदद", 20, "मदद"),
    "after_a_word": ("सड़क पर गड्ढा या टूटी सड़क", 24, "सड़क पर गड्ढा या टूटी…"),
    "not_inside_a_syllable": ("स्ट्रीटलाइटखराबहैकृपयाठीककरें", 10, "स्ट्रीटला…"),
    "not_before_a_virama": ("कटड़ाजैमलसिंहस्ट्रीट", 15, "कटड़ाजैमलसिंह…"),
    "not_after_a_virama": ("पुस्तकालय", 5, "पु…"),
    "latin": ("Garbage not collected in ward 7", 24, "Garbage not collected…"),
}


@pytest.mark.parametrize(("label", "limit", "title"), SHORTENED.values(), ids=list(SHORTENED))
def test_titles_are_shortened_between_syllables(label: str, limit: int, title: str) -> None:
    """A shortened title ends after a word, or at least after a whole syllable, then "…"."""
    assert shorten(label, limit) == title and len(title) <= limit


# a message that must not be sent -> the ConfigError detail; Twilio is never called
REFUSED: dict[str, tuple[OutboundMessage, str]] = {
    "window_closed_without_template": (msg("hello", window_open=False), "template_required"),
    "window_closed_with_choices": (msg("Choose", LANGUAGES, window_open=False),
                                   "template_required"),
    "template_name_not_a_content_sid": (
        msg("x", window_open=False, template=TemplateRef("grievance_update", "hi", ("1",))),
        "template_not_a_content_sid"),
    "template_variable_empty": (
        msg("x", window_open=False, template=TemplateRef(NOTIFY, "hi", ("PB-1", " "))),
        "template_variable_empty"),
}


@pytest.mark.parametrize(("message", "detail"), REFUSED.values(), ids=list(REFUSED))
def test_refused_before_any_request(fake_whatsapp: FakeWhatsApp, message: OutboundMessage,
                                    detail: str) -> None:
    """Outside the window free text cannot go; the error says why and no request is made."""
    with pytest.raises(ConfigError) as caught:
        send(fake_whatsapp, message, fake_whatsapp.hook_url("status"), **INTERACTIVE)
    assert caught.value.detail == detail and not caught.value.retryable
    assert simulator.received_requests() == []


# config value -> content SIDs by count the adapter reads (or None: a ConfigError)
SIDS: dict[str, tuple[object, dict[int, str] | None]] = {
    "string": (f"2:{QUICK[2]}, 3:{QUICK[3]}", {2: QUICK[2], 3: QUICK[3]}),
    "mapping": ({"1": QUICK[1]}, {1: QUICK[1]}),
    "empty": ("", {}),
    "too_many_buttons": (f"4:{QUICK[2]}", None),
    "no_count": (QUICK[2], None),
    "not_a_content_sid": ("2:MG5d4c3b2a1908f7e6d5c4b3a291807f6e", None),
}


@pytest.mark.parametrize(("value", "expected"), SIDS.values(), ids=list(SIDS))
def test_quick_reply_config(fake_whatsapp: FakeWhatsApp, value: object,
                            expected: dict[int, str] | None) -> None:
    """Content SIDs are given as count:HX… pairs; anything else fails when the account is built."""
    config: dict[str, Any] = {**account(fake_whatsapp), "quick_reply_content_sids": value}
    if expected is None:
        with pytest.raises(ConfigError, match="quick_reply_content_sids"):
            build_adapter("twilio-whatsapp", config)
    else:
        adapter = build_adapter("twilio-whatsapp", config)
        assert adapter.contents[Interactive.QUICK_REPLY] == expected  # type: ignore[attr-defined]


# simulator fault (HTTP status, Twilio code) -> (error, retry_after)
FAULTS: dict[str, tuple[int | tuple[int, int], type[SendError], float | None]] = {
    "63016_outside_window": ((400, 63016), ConfigError, None),
    "63024_invalid_recipient": ((400, 63024), RecipientInvalid, None),
    "63003_unknown_recipient": ((400, 63003), RecipientInvalid, None),
    "63014_blocked_by_user": ((400, 63014), ContactStopped, None),
    "63018_channel_rate_limit": ((429, 63018), Throttled, CHANNEL_THROTTLE_DELAY),
    "63017_account_rate_limit": ((429, 63017), Throttled, THROTTLE_DELAY),
    "63007_unknown_sender": ((400, 63007), ConfigError, None),
    "21656_bad_content_variables": ((400, 21656), ConfigError, None),
    "63012_channel_down": ((400, 63012), ProviderDown, None),
    "429_without_code": (429, Throttled, THROTTLE_DELAY),
    "500_internal_error": (500, ProviderDown, None),
    "21211_invalid_to": ((400, 21211), RecipientInvalid, None),
    "21610_unsubscribed": ((400, 21610), ContactStopped, None),
    "20003_authenticate": ((401, 20003), ConfigError, None),
}


@pytest.mark.parametrize(("fault", "error", "retry_after"), FAULTS.values(), ids=list(FAULTS))
def test_error_mapping(fake_whatsapp: FakeWhatsApp, fault: int | tuple[int, int],
                       error: type[SendError], retry_after: float | None) -> None:
    """Each Twilio error answer becomes one error of the closed set, with its retry advice."""
    simulator.inject_faults(fault)
    with pytest.raises(SendError) as caught:
        send(fake_whatsapp, msg("hello"), fake_whatsapp.hook_url("status"))
    assert type(caught.value) is error and caught.value.retry_after == retry_after
    code = fault[1] if isinstance(fault, tuple) else None
    if code in WHATSAPP_ERRORS:
        assert caught.value.detail.startswith(WHATSAPP_ERRORS[code][1] + ": twilio ")
    assert simulator.sent_to(CITIZEN) == []


def test_wrong_credentials_and_no_server(fake_whatsapp: FakeWhatsApp,
                                         closed_port_url: str) -> None:
    """A wrong token is a ConfigError; nothing listening is a retryable ConnectionFailed."""
    simulator.register_account(ACCOUNT_SID, AUTH_TOKEN)
    with pytest.raises(ConfigError):
        send(fake_whatsapp, msg("hello"), auth_token="0" * 32)
    with pytest.raises(ConnectionFailed) as caught:
        send(fake_whatsapp, msg("hello"), api_base=closed_port_url)
    assert caught.value.retryable and simulator.sent_to(CITIZEN) == []


def _problem(status: int, code: int) -> TwilioServiceException:
    """An SDK error as raised for an RFC 9457 problem-details body."""
    return TwilioServiceException("https://www.twilio.com/docs/errors/x", "x", status, code)


def _rest(status: int, code: int | None) -> TwilioRestException:
    """An SDK error as raised for a legacy Twilio error body."""
    return TwilioRestException(status, "/2010-04-01/Accounts/AC/Messages.json", "x", code, "POST")


MAPPED: dict[str, tuple[Exception, type[SendError]]] = {
    "problem_63016": (_problem(400, 63016), ConfigError),
    "problem_63018": (_problem(429, 63018), Throttled),
    "rest_63024": (_rest(400, 63024), RecipientInvalid),
    "rest_503_no_code": (_rest(503, None), ProviderDown),
    "read_timeout": (requests.exceptions.ReadTimeout(), ConnectionFailed),
}


@pytest.mark.parametrize(("exc", "error"), MAPPED.values(), ids=list(MAPPED))
def test_map_error(exc: Exception, error: type[SendError]) -> None:
    """Either error format of the SDK maps the same way; unknown exceptions are re-raised."""
    assert type(map_error(exc)) is error
    with pytest.raises(KeyError):
        map_error(KeyError("x"))


# ErrorCode of a status callback -> the send error it stands for
CODES: dict[str | None, type[SendError] | None] = {
    "63016": ConfigError, "63024": RecipientInvalid, "63018": Throttled, "63014": ContactStopped,
    "30008": None, "": None, None: None, "x": None,
}


@pytest.mark.parametrize(("code", "error"), CODES.items(), ids=[repr(c) for c in CODES])
def test_error_for_status_callback_codes(code: str | None, error: type[SendError] | None) -> None:
    """WhatsApp failures usually arrive in status callbacks; the same table classifies them."""
    assert error_for_code(code) is error


def _statuses(fake: FakeWhatsApp, name: str, count: int) -> list[tuple[object, ...]]:
    """The status callbacks posted to a hook, verified and parsed by the adapter."""
    adapter = build_adapter("twilio-whatsapp", account(fake))
    hooks = fake.wait_hooks(name, count)
    for hook in hooks:
        signature = hook.headers["x-twilio-signature"]
        assert RequestValidator(AUTH_TOKEN).validate(hook.url, hook.form, signature)
        assert hook.form["To"] == TO and hook.form["ChannelPrefix"] == "whatsapp"
    return [adapter.handle_webhook(h.as_request(), "status").events for h in hooks]


def test_status_callbacks_up_to_read(fake_whatsapp: FakeWhatsApp) -> None:
    """The simulator calls back sent, delivered and read, signed as Twilio signs them."""
    name = uuid.uuid4().hex
    sid = send(fake_whatsapp, msg("hello"), fake_whatsapp.hook_url(name)).external_id
    assert _statuses(fake_whatsapp, name, 3) == [
        (StatusUpdate(sid, DeliveryStatus.SENT),), (StatusUpdate(sid, DeliveryStatus.DELIVERED),),
        (StatusUpdate(sid, DeliveryStatus.READ),)]


def test_closed_window_fails_in_the_callback(fake_whatsapp: FakeWhatsApp) -> None:
    """Twilio accepts free text to a closed window, then reports failed with 63016; an
    approved template still goes through. The core's window check makes this the rare case."""
    simulator.close_window(CITIZEN)
    name = uuid.uuid4().hex
    sid = send(fake_whatsapp, msg("hello"), fake_whatsapp.hook_url(name)).external_id
    assert _statuses(fake_whatsapp, name, 1) == [
        (StatusUpdate(sid, DeliveryStatus.FAILED, "63016", needs_template=True),)]
    assert error_for_code("63016") is ConfigError and simulator.sent_to(CITIZEN) == []
    simulator.register_content(NOTIFY, simulator.Content("twilio/text", "Grievance {{1}}"))
    template = TemplateRef(NOTIFY, "en", ("PB-AMR-2025-000042",))
    send(fake_whatsapp, msg("x", window_open=False, template=template))
    assert [m["body"] for m in simulator.sent_to(CITIZEN)] == ["Grievance PB-AMR-2025-000042"]


def test_list_picker_cannot_open_a_closed_window(fake_whatsapp: FakeWhatsApp) -> None:
    """List pickers are session-only on WhatsApp: to a closed window they fail with 63016."""
    simulator.close_window(CITIZEN)
    name = uuid.uuid4().hex
    sid = send(fake_whatsapp, msg("मुख्य मेनू", MENU), fake_whatsapp.hook_url(name),
               **INTERACTIVE).external_id
    assert _statuses(fake_whatsapp, name, 1) == [
        (StatusUpdate(sid, DeliveryStatus.FAILED, "63016", needs_template=True),)]


def test_scripted_carrier_failure(fake_whatsapp: FakeWhatsApp) -> None:
    """A scripted delivery failure arrives as FAILED with its code, and never in the inbox."""
    simulator.script_delivery(TO, "sent", "undelivered", error_code="63024")
    name = uuid.uuid4().hex
    sid = send(fake_whatsapp, msg("hello"), fake_whatsapp.hook_url(name)).external_id
    assert _statuses(fake_whatsapp, name, 2) == [
        (StatusUpdate(sid, DeliveryStatus.SENT),),
        (StatusUpdate(sid, DeliveryStatus.FAILED, "63024"),)]
    assert simulator.sent_to(CITIZEN) == [] and error_for_code("63024") is RecipientInvalid
