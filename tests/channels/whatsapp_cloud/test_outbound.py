"""Sending through the Graph API against the simulator on a real local server: bodies, errors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx
import pytest

from channels.contract import (
    Ask,
    Choice,
    DeliveryStatus,
    OutboundMessage,
    SendResult,
    StatusUpdate,
    TemplateRef,
)
from channels.errors import (
    BadSignature,
    ConfigError,
    ConnectionFailed,
    ContactStopped,
    MalformedPayload,
    ProviderDown,
    RecipientInvalid,
    SendError,
    Throttled,
)
from channels.registry import build_adapter
from channels.whatsapp_cloud import simulator
from channels.whatsapp_cloud.adapter import Adapter
from channels.whatsapp_cloud.client import THROTTLE_CODES, THROTTLE_DELAY, classify
from channels.whatsapp_cloud.outbound import clip

if TYPE_CHECKING:
    from tests.channels.whatsapp_cloud.conftest import FakeMeta

PHONE_NUMBER_ID = "106540352242922"
ACCESS_TOKEN = "EAAJB7qZBx0ZAcBO4t2vU9wxyzACCESSTOKENFORTESTS0123456789"
APP_SECRET = "6f1d2c3b4a5968778695a4b3c2d1e0f9"
OURS = "+15550783881"
CITIZEN = "+919876543210"


def account(fake: FakeMeta, **overrides: str) -> dict[str, str]:
    """The channel account config pointing at the simulator."""
    return {"phone_number_id": PHONE_NUMBER_ID, "access_token": ACCESS_TOKEN,
            "app_secret": APP_SECRET, "verify_token": "meatyhamhock", "address": OURS,
            "graph_base": fake.graph_base, "api_version": "v21.0", **overrides}


def adapter(fake: FakeMeta, **overrides: str) -> Adapter:
    """The adapter built from the registry for the simulator account."""
    built = build_adapter("whatsapp-cloud", account(fake, **overrides))
    assert isinstance(built, Adapter)
    return built


def send(fake: FakeMeta, message: OutboundMessage, **overrides: str) -> SendResult:
    """Send one message through the adapter."""
    return adapter(fake, **overrides).send(message, "https://gateway.example/unused/status")


LANGUAGES = (Choice("en", "English"), Choice("hi", "हिन्दी"), Choice("pa", "ਪੰਜਾਬੀ"))
YES_NO = (Choice("yes", "हाँ"), Choice("no", "नहीं"))
CATEGORIES = (Choice("garbage", "कचरा नहीं उठाया गया"), Choice("streetlight", "स्ट्रीट लाइट खराब"),
              Choice("water", "पानी की आपूर्ति नहीं"), Choice("sewer", "सीवर जाम या उफान पर"),
              Choice("road", "सड़क पर गड्ढा या टूटी सड़क"), Choice("cattle", "आवारा पशु"))
WARDS = (*(Choice(f"w{i}", f"Ward {i}") for i in range(1, 10)), Choice("__more__", "…"))
TO = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": CITIZEN}


def interactive(body: str, kind: str, action: dict[str, Any], **more: Any) -> dict[str, Any]:
    """An expected interactive request."""
    return {**TO, "type": "interactive",
            "interactive": {"type": kind, "body": {"text": body}, "action": action, **more}}


def buttons(*pairs: tuple[str, str]) -> dict[str, Any]:
    """An expected reply-buttons action."""
    return {"buttons": [{"type": "reply", "reply": {"id": i, "title": t}} for i, t in pairs]}


def rows(title: str, *items: dict[str, str]) -> dict[str, Any]:
    """An expected list action with one section."""
    return {"button": "☰", "sections": [{"title": title, "rows": list(items)}]}


HOUR = TemplateRef("grievance_update", "hi", ("PB-AMR-2027-000042", "हल हो गई"))

# message -> the exact JSON the Graph API receives.
BODIES: dict[str, tuple[OutboundMessage, dict[str, Any]]] = {
    "text": (OutboundMessage(CITIZEN, "Grievance PB-AMR-2027-000042 registered."),
             {**TO, "type": "text", "text": {"body": "Grievance PB-AMR-2027-000042 registered."}}),
    "text_hindi": (OutboundMessage(CITIZEN, "आपकी शिकायत दर्ज हो गई है।", language="hi"),
                   {**TO, "type": "text", "text": {"body": "आपकी शिकायत दर्ज हो गई है।"}}),
    "three_buttons": (
        OutboundMessage(CITIZEN, "Choose your language", choices=LANGUAGES),
        interactive("Choose your language", "button",
                    buttons(("en", "English"), ("hi", "हिन्दी"), ("pa", "ਪੰਜਾਬੀ")))),
    "confirm_buttons": (
        OutboundMessage(CITIZEN, "शिकायत दर्ज करें?", choices=YES_NO, ask=Ask.CHOICE),
        interactive("शिकायत दर्ज करें?", "button", buttons(("yes", "हाँ"), ("no", "नहीं")))),
    "long_button_title": (
        OutboundMessage(CITIZEN, "Which?", choices=(Choice("g", "Garbage not collected for days"),
                                                    Choice("s", "Streetlight"))),
        interactive("Which?", "button", buttons(("g", "Garbage not…"), ("s", "Streetlight")))),
    "buttons_without_text": (
        OutboundMessage(CITIZEN, "", choices=YES_NO),
        interactive("☰", "button", buttons(("yes", "हाँ"), ("no", "नहीं")))),
    "alike_titles_become_a_list": (
        OutboundMessage(CITIZEN, "When?", choices=(
            Choice("t", "Water supply not coming today"),
            Choice("m", "Water supply not coming tomorrow"))),
        interactive("When?", "list", rows(
            "When?",
            {"id": "t", "title": "Water supply not coming…",
             "description": "Water supply not coming today"},
            {"id": "m", "title": "Water supply not coming…",
             "description": "Water supply not coming tomorrow"}))),
    "list_of_categories": (
        OutboundMessage(CITIZEN, "भाषा सहेजी गई।\n\nश्रेणी चुनें:", choices=CATEGORIES,
                        ask=Ask.CHOICE),
        interactive("भाषा सहेजी गई।\n\nश्रेणी चुनें:", "list", rows(
            "श्रेणी चुनें:",
            {"id": "garbage", "title": "कचरा नहीं उठाया गया"},
            {"id": "streetlight", "title": "स्ट्रीट लाइट खराब"},
            {"id": "water", "title": "पानी की आपूर्ति नहीं"},
            {"id": "sewer", "title": "सीवर जाम या उफान पर"},
            {"id": "road", "title": "सड़क पर गड्ढा या टूटी…",
             "description": "सड़क पर गड्ढा या टूटी सड़क"},
            {"id": "cattle", "title": "आवारा पशु"}))),
    "list_of_ten_with_more": (
        OutboundMessage(CITIZEN, "Ward?", choices=WARDS),
        interactive("Ward?", "list", rows(
            "Ward?", *({"id": f"w{i}", "title": f"Ward {i}"} for i in range(1, 10)),
            {"id": "__more__", "title": "…"}))),
    "eleven_choices_numbered": (
        OutboundMessage(CITIZEN, "Ward?", choices=(*WARDS[:9], Choice("w10", "Ward 10"),
                                                   Choice("w11", "Ward 11"))),
        {**TO, "type": "text", "text": {"body": "Ward?\n\n" + "\n".join(
            f"{i}. Ward {i}" for i in range(1, 12))}}),
    "long_text_with_choices_numbered": (
        OutboundMessage(CITIZEN, "क" * 1100, choices=YES_NO),
        {**TO, "type": "text", "text": {"body": "क" * 1100 + "\n\n1. हाँ\n2. नहीं"}}),
    "location_request": (
        OutboundMessage(CITIZEN, "अपना स्थान भेजें", ask=Ask.LOCATION),
        interactive("अपना स्थान भेजें", "location_request_message", {"name": "send_location"})),
    "location_request_with_choices": (  # WhatsApp's own button; skip is listed to type, as 1
        OutboundMessage(CITIZEN, "Send your location", ask=Ask.LOCATION,
                        choices=(Choice("__location__", "Share location"), Choice("skip", "Skip"))),
        interactive("Send your location\n\n1. Skip", "location_request_message",
                    {"name": "send_location"})),
    "image_with_caption": (
        OutboundMessage(CITIZEN, "UPI QR", media_url="https://pay.example.in/qr/42.png"),
        {**TO, "type": "image",
         "image": {"link": "https://pay.example.in/qr/42.png", "caption": "UPI QR"}}),
    "image_with_buttons": (
        OutboundMessage(CITIZEN, "Pay ₹1,200?", choices=YES_NO,
                        media_url="https://pay.example.in/qr/42.JPG"),
        interactive("Pay ₹1,200?", "button", buttons(("yes", "हाँ"), ("no", "नहीं")),
                    header={"type": "image",
                            "image": {"link": "https://pay.example.in/qr/42.JPG"}})),
    "document_receipt": (
        OutboundMessage(CITIZEN, "रसीद", media_url="https://pay.example.in/r/R-42.pdf?sig=x"),
        {**TO, "type": "document", "document": {
            "link": "https://pay.example.in/r/R-42.pdf?sig=x", "caption": "रसीद",
            "filename": "R-42.pdf"}}),
    "template_outside_window": (
        OutboundMessage(CITIZEN, "ignored text", window_open=False, template=HOUR),
        {**TO, "type": "template", "template": {
            "name": "grievance_update", "language": {"code": "hi"},
            "components": [{"type": "body", "parameters": [
                {"type": "text", "text": "PB-AMR-2027-000042"},
                {"type": "text", "text": "हल हो गई"}]}]}}),
    "template_without_variables": (
        OutboundMessage(CITIZEN, "x", choices=YES_NO, window_open=False,
                        template=TemplateRef("hello_world", "en_US")),
        {**TO, "type": "template",
         "template": {"name": "hello_world", "language": {"code": "en_US"}}}),
    "template_with_quick_replies": (
        OutboundMessage(CITIZEN, "x", choices=YES_NO, window_open=False, template=TemplateRef(
            "grievance_feedback", "en", ("PB-AMR-2027-000042",),
            {"language": "en_US", "buttons": "quick_reply"})),
        {**TO, "type": "template", "template": {
            "name": "grievance_feedback", "language": {"code": "en_US"}, "components": [
                {"type": "body", "parameters": [{"type": "text", "text": "PB-AMR-2027-000042"}]},
                {"type": "button", "sub_type": "quick_reply", "index": "0",
                 "parameters": [{"type": "payload", "payload": "yes"}]},
                {"type": "button", "sub_type": "quick_reply", "index": "1",
                 "parameters": [{"type": "payload", "payload": "no"}]}]}}),
    "template_inside_window_sends_free_text": (
        OutboundMessage(CITIZEN, "हल हो गई", template=HOUR),
        {**TO, "type": "text", "text": {"body": "हल हो गई"}}),
}


@pytest.mark.parametrize(("message", "body"), BODIES.values(), ids=list(BODIES))
def test_request_the_graph_api_receives(fake_meta: FakeMeta, message: OutboundMessage,
                                        body: dict[str, Any]) -> None:
    """Exactly this JSON reaches /{version}/{phone-number-id}/messages, with our bearer token."""
    result = send(fake_meta, message)
    (made,) = simulator.received_requests()
    assert made["json"] == body
    assert (made["version"], made["phone_number_id"], made["token"]) == (
        "v21.0", PHONE_NUMBER_ID, ACCESS_TOKEN)
    (record,) = simulator.sent_to(CITIZEN)
    assert result == SendResult(record["id"], DeliveryStatus.QUEUED)
    assert result.external_id.startswith("wamid.")


def test_outside_the_window_without_a_template_is_not_sent(fake_meta: FakeMeta) -> None:
    """No template means no message may go: a ConfigError, and nothing reaches Meta."""
    with pytest.raises(ConfigError) as caught:
        send(fake_meta, OutboundMessage(CITIZEN, "hello", window_open=False))
    assert caught.value.detail == "template_required" and not caught.value.retryable
    assert simulator.received_requests() == []


# text, limit -> shortened
CLIPS: dict[str, tuple[str, int, str]] = {
    "fits": ("Ward 7", 20, "Ward 7"),
    "word_boundary": ("Garbage not collected for days", 20, "Garbage not…"),
    "devanagari_words": ("सड़क पर गड्ढा या टूटी सड़क", 24, "सड़क पर गड्ढा या टूटी…"),
    "one_long_word": ("Streetlightnotworkingatall", 20, "Streetlightnotworki…"),
    "no_split_conjunct": ("क्षक्षक्षक्षक्षक्षक्षक्ष", 10, "क्षक्षक्ष…"),
    "no_split_matra": ("पानीपानीपानीपानी", 6, "पानी…"),
    "newlines_collapse": ("Ward\n7", 20, "Ward 7"),
}


@pytest.mark.parametrize(("text", "limit", "expected"), CLIPS.values(), ids=list(CLIPS))
def test_clip(text: str, limit: int, expected: str) -> None:
    """Labels are shortened within WhatsApp's limits without breaking a word or a cluster."""
    assert clip(text, limit) == expected
    assert len(clip(text, limit)) <= limit


def test_render_text() -> None:
    """The text WhatsApp shows: interactive choices stay out of it, past ten they are numbered."""
    ten = OutboundMessage(CITIZEN, "Ward?", choices=WARDS)
    assert Adapter.render_text(ten) == "Ward?"
    eleven = OutboundMessage(CITIZEN, "Ward?", choices=(*WARDS, Choice("x", "X")))
    assert Adapter.render_text(eleven).startswith("Ward?\n\n1. Ward 1")


# simulator fault (HTTP status, Graph code) -> (error, retryable, retry_after)
FAULTS: dict[str, tuple[int | tuple[int, int], type[SendError], bool, float | None]] = {
    "400_131047_window_closed": ((400, 131047), ConfigError, False, None),
    "400_131026_undeliverable": ((400, 131026), RecipientInvalid, False, None),
    "400_131030_not_allowed_test_number": ((400, 131030), RecipientInvalid, False, None),
    "400_131050_stopped_marketing": ((400, 131050), ContactStopped, False, None),
    "400_130429_throughput": ((400, 130429), Throttled, True, THROTTLE_CODES[130429]),
    "400_131048_spam_rate_limit": ((400, 131048), Throttled, True, THROTTLE_CODES[131048]),
    "400_131056_pair_rate_limit": ((400, 131056), Throttled, True, THROTTLE_CODES[131056]),
    "400_131057_throughput_upgrade": ((400, 131057), Throttled, True, 15.0),
    "429_80007_waba_rate_limit": ((429, 80007), Throttled, True, THROTTLE_CODES[80007]),
    "429_without_code": ((429, 99999), Throttled, True, THROTTLE_DELAY),
    "401_190_token_expired": ((401, 190), ConfigError, False, None),
    "403_10_permission": ((403, 10), ConfigError, False, None),
    "400_100_invalid_parameter": ((400, 100), ConfigError, False, None),
    "400_132001_template_missing": ((400, 132001), ConfigError, False, None),
    "400_368_policy_block": ((400, 368), ConfigError, False, None),
    "500_api_unknown": (500, ProviderDown, True, None),
    "503_service": (503, ProviderDown, True, None),
    "500_131000_something_wrong": ((500, 131000), ProviderDown, True, None),
    "500_3_capability": ((500, 3), ConfigError, False, None),
}


@pytest.mark.parametrize(("fault", "error", "retryable", "retry_after"), FAULTS.values(),
                         ids=list(FAULTS))
def test_error_mapping(fake_meta: FakeMeta, fault: int | tuple[int, int],
                       error: type[SendError], retryable: bool,
                       retry_after: float | None) -> None:
    """Each Graph error answer becomes one error of the closed set, with its retry advice."""
    simulator.inject_faults(fault)
    with pytest.raises(SendError) as caught:
        send(fake_meta, OutboundMessage(CITIZEN, "hello"))
    assert type(caught.value) is error
    assert caught.value.retryable is retryable
    assert caught.value.retry_after == retry_after
    assert simulator.sent_to(CITIZEN) == []


def test_window_closed_says_a_template_is_required(fake_meta: FakeMeta) -> None:
    """Meta's re-engagement error reads like our own window check."""
    simulator.inject_faults((400, 131047))
    with pytest.raises(ConfigError, match="template_required"):
        send(fake_meta, OutboundMessage(CITIZEN, "hello"))


def test_next_send_after_a_fault_succeeds(fake_meta: FakeMeta) -> None:
    """Faults are consumed one per request, so a retry goes through."""
    simulator.inject_faults(503)
    with pytest.raises(ProviderDown):
        send(fake_meta, OutboundMessage(CITIZEN, "hello"))
    assert send(fake_meta, OutboundMessage(CITIZEN, "hello")).external_id


def test_wrong_access_token(fake_meta: FakeMeta) -> None:
    """A token the number does not know is Graph's 401/190: a ConfigError, never retried."""
    simulator.register_app(PHONE_NUMBER_ID, ACCESS_TOKEN, APP_SECRET)
    with pytest.raises(ConfigError) as caught:
        send(fake_meta, OutboundMessage(CITIZEN, "hello"), access_token="EAAwrong")
    assert caught.value.detail == "graph 401/190"
    assert simulator.sent_to(CITIZEN) == []


def test_connection_refused(fake_meta: FakeMeta, closed_port_url: str) -> None:
    """Nothing listening at the Graph base is a retryable ConnectionFailed."""
    with pytest.raises(ConnectionFailed) as caught:
        send(fake_meta, OutboundMessage(CITIZEN, "hello"), graph_base=closed_port_url)
    assert caught.value.retryable


def _transport_adapter(handler: Any) -> Adapter:
    """The adapter over an in-memory transport (for answers the simulator cannot give)."""
    config = {"phone_number_id": PHONE_NUMBER_ID, "access_token": ACCESS_TOKEN,
              "app_secret": APP_SECRET, "verify_token": "v", "address": OURS}
    return Adapter(config, transport=httpx.MockTransport(handler))


def _raise(exc: Exception) -> Any:
    """A transport handler that fails with `exc`."""
    def handler(request: httpx.Request) -> httpx.Response:
        """Fail the way a network would."""
        raise exc
    return handler


# transport behaviour -> the send error it must become
TRANSPORT: dict[str, tuple[Any, type[SendError], float | None]] = {
    "read_timeout": (_raise(httpx.ReadTimeout("slow")), ConnectionFailed, None),
    "connect_timeout": (_raise(httpx.ConnectTimeout("slow")), ConnectionFailed, None),
    "reset": (_raise(httpx.RemoteProtocolError("reset")), ConnectionFailed, None),
    "html_502": (lambda r: httpx.Response(502, text="<html>Bad Gateway</html>"),
                 ProviderDown, None),
    "retry_after_header": (lambda r: httpx.Response(
        429, headers={"Retry-After": "17"}, json={"error": {"code": 130429}}), Throttled, 17.0),
    "ok_without_id": (lambda r: httpx.Response(200, json={"messages": []}), ProviderDown, None),
    "ok_not_json": (lambda r: httpx.Response(200, text="ok"), ProviderDown, None),
}


@pytest.mark.parametrize(("handler", "error", "retry_after"), TRANSPORT.values(),
                         ids=list(TRANSPORT))
def test_transport_failures(handler: Any, error: type[SendError],
                            retry_after: float | None) -> None:
    """Timeouts, resets and odd answers map onto the closed set too."""
    with pytest.raises(SendError) as caught:
        _transport_adapter(handler).send(OutboundMessage(CITIZEN, "hello"), None)
    assert type(caught.value) is error and caught.value.retry_after == retry_after


def test_classify_prefers_the_code_over_the_status() -> None:
    """Meta's code decides (a 500 with a permissions code is no outage)."""
    assert type(classify(500, 3)) is ConfigError
    assert type(classify(400, 131000)) is ProviderDown
    assert type(classify(418, None)) is ConfigError
    assert type(classify(502, None)) is ProviderDown
    assert type(classify(401, 0)) is ConfigError


def test_fetch_media(fake_meta: FakeMeta) -> None:
    """An inbound image's reference downloads through the Graph API with the bearer token."""
    media_id = simulator.add_media(b"\xff\xd8\xff\xe0 jpeg bytes", "image/jpeg")
    wa = adapter(fake_meta)
    content, content_type = wa.fetch_media(wa.media_ref(media_id))
    assert (content, content_type) == (b"\xff\xd8\xff\xe0 jpeg bytes", "image/jpeg")
    assert wa.fetch_media(media_id)[0] == content  # a bare id works too


def test_fetch_media_errors(fake_meta: FakeMeta, closed_port_url: str) -> None:
    """Unknown media is Graph's 400/100; garbage references and outages are refused."""
    with pytest.raises(ConfigError, match="graph 400/100"):
        adapter(fake_meta).fetch_media(fake_meta.graph_base + "/v21.0/1234567890")
    with pytest.raises(MalformedPayload):
        adapter(fake_meta).fetch_media("https://evil.example/../../etc/passwd?x=1")
    with pytest.raises(ConnectionFailed):
        adapter(fake_meta, graph_base=closed_port_url).fetch_media("1234567890")


def test_status_webhooks_are_signed_and_parse(fake_meta: FakeMeta) -> None:
    """The simulator reports sent, delivered, read, signed with the app secret, to our hook."""
    name = "statuses"
    simulator.register_app(PHONE_NUMBER_ID, ACCESS_TOKEN, APP_SECRET, OURS,
                           callback_url=fake_meta.hook_url(name))
    wa = adapter(fake_meta)
    wamid = wa.send(OutboundMessage(CITIZEN, "hello"), None).external_id
    hooks = fake_meta.wait_hooks(name, 3)
    updates = [wa.handle_webhook(h.as_request(), "inbound").events for h in hooks]
    assert updates == [(StatusUpdate(wamid, status),) for status in (
        DeliveryStatus.SENT, DeliveryStatus.DELIVERED, DeliveryStatus.READ)]
    with pytest.raises(BadSignature):
        adapter(fake_meta, app_secret="0" * 32).handle_webhook(hooks[0].as_request(), "inbound")


def test_failed_delivery_carries_the_error_code(fake_meta: FakeMeta) -> None:
    """A scripted failure arrives as FAILED with Meta's error code."""
    name = "failed"
    simulator.register_app(PHONE_NUMBER_ID, ACCESS_TOKEN, APP_SECRET, OURS,
                           callback_url=fake_meta.hook_url(name))
    simulator.script_delivery(CITIZEN, "sent", "failed", error_code=131047)
    wa = adapter(fake_meta)
    wamid = wa.send(OutboundMessage(CITIZEN, "hello"), None).external_id
    last = wa.handle_webhook(fake_meta.wait_hooks(name, 2)[-1].as_request(), "inbound")
    assert last.events == (StatusUpdate(wamid, DeliveryStatus.FAILED, "131047",
                                        needs_template=True),)
