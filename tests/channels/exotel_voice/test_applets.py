"""Exotel applet callbacks in (GET query or POST form), call events and applet answers out."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from channels.base import ReplyContext
from channels.contract import (
    Ask,
    Choice,
    EventKind,
    InboundEvent,
    MessagePart,
    OutboundMessage,
    WebhookRequest,
    WebhookResult,
)
from channels.errors import BadSignature, MalformedPayload, WebhookRejected
from channels.exotel_voice.adapter import ACCEPTED_TIMEOUTS, Adapter
from channels.registry import build_adapter
from i18n import translate
from i18n.voice import Clip

FIXTURES = Path(__file__).parent / "fixtures"
TOKEN = "5e0c3a9b1d7f4e2a8c6b0d9e1f3a5c7b"
BASE = "https://nagarsetu.example.in/webhooks/exotel-voice/acc-3"
CALL = "b6cfaf0ea5f4d1c7e0a8e1c3d35f1a9c"
CALLER, EXOPHONE = "09876543210", "08047100200"
RECORDING = f"https://s3-ap-southeast-1.amazonaws.com/exotelrecordings/nagarsetu1/{CALL}.mp3"


@dataclass(frozen=True)
class Answered:
    """Expected outcome: no event, this HTTP status (a Passthru's branch)."""

    status: int


Expected = InboundEvent | Answered | type[WebhookRejected]


def event(external_id: str = CALL, text: str = "", **kw: Any) -> InboundEvent:
    """An event of the fixtures' call."""
    return InboundEvent(external_id, CALLER, EXOPHONE, text=text, session=CALL, **kw)


# (fixture, webhook kind) -> what the adapter makes of it. Passthru answers carry no number
# (the gateway numbers them after the prompt last served): their id is the call itself.
CASES: dict[tuple[str, str], Expected] = {
    ("passthru__start", "inbound"): event(f"{CALL}:0", kind=EventKind.CALL_STARTED),
    ("passthru__quoted_digits", "inbound"): event(text="1"),
    ("passthru__quoted_number", "inbound"): event(text="123"),
    ("passthru__digits_pressed", "inbound"): event(text="2"),
    ("passthru__no_input", "inbound"): event(kind=EventKind.NO_INPUT),
    # named by the gateway in the language of the prompt it answers; the URL is media only
    ("passthru__recording", "inbound"): event(media_urls=(RECORDING,)),
    ("passthru__missed", "inbound"): event(f"{CALL}:missed", kind=EventKind.MISSED_CALL),
    ("passthru__missing_call_sid", "inbound"): MalformedPayload,
    ("prompt__gather", "prompt"): event(payload="gather"),
    ("status__completed", "status"): event(f"{CALL}:end", payload="completed",
                                           kind=EventKind.CALL_ENDED),
    ("status__busy", "status"): event(f"{CALL}:end", payload="busy", kind=EventKind.CALL_ENDED),
    ("status__in_progress", "status"): Answered(200),
}


def adapter(**overrides: object) -> Adapter:
    """The Exotel voice adapter for the test account."""
    built = build_adapter("exotel-voice", {"token": TOKEN, "address": EXOPHONE, **overrides})
    assert isinstance(built, Adapter)
    return built


def fixture(name: str) -> str:
    """Query parameters exactly as Exotel puts them on the URL."""
    return (FIXTURES / f"{name}.txt").read_text(encoding="utf-8").strip()


def url(kind: str, query: str, token: str | None = TOKEN, extra: str = "",
        in_query: bool = False) -> str:
    """The flow URL configured for an applet (the secret in its path, or in the deprecated
    `?token=`), with Exotel's parameters appended."""
    path = {"inbound": "", "prompt": "/prompt", "status": "/status"}[kind]
    if in_query:
        secret = f"token={token}&" if token is not None else ""
        return f"{BASE}{path}?{secret}{extra}{query}"
    where = f"/s/{token}" if token is not None else ""
    return f"{BASE}{where}{path}?{extra}{query}"


def get(name: str, kind: str, token: str | None = TOKEN, extra: str = "",
        in_query: bool = False, path: str = "", **config: object) -> WebhookResult:
    """An applet's GET request, as the adapter receives it."""
    request = WebhookRequest("GET", url(kind, fixture(name), token, extra, in_query)
                             .replace("?", path + "?", 1), {}, b"")
    return adapter(**config).handle_webhook(request, kind)


@pytest.mark.parametrize(("name", "kind"), list(CASES), ids=[n for n, _ in CASES])
def test_applet_callbacks(name: str, kind: str) -> None:
    expected = CASES[(name, kind)]
    if isinstance(expected, type):
        with pytest.raises(expected):
            get(name, kind)
        return
    result = get(name, kind)
    if isinstance(expected, Answered):
        assert result.events == () and result.response.status == expected.status
    else:
        assert result.events == (expected,)


def test_a_form_posted_by_exotel_is_read_too() -> None:
    body = fixture("passthru__quoted_digits").encode()
    request = WebhookRequest("POST", f"{BASE}/s/{TOKEN}",
                             {"content-type": "application/x-www-form-urlencoded"}, body)
    assert adapter().handle_webhook(request, "inbound").events == (event(text="1"),)


def test_the_routing_applet_is_a_prompt_fetch() -> None:
    assert get("prompt__gather", "prompt", path="/route").events == (event(payload="route"),)
    # the older URL named the applet in the query, which Exotel may rewrite: still read
    assert get("prompt__gather", "prompt", extra="applet=route&").events == (
        event(payload="route"),)


def test_the_secret_in_the_query_is_deprecated_but_accepted(
        caplog: pytest.LogCaptureFixture) -> None:
    result = get("passthru__quoted_digits", "inbound", in_query=True)
    assert result.events == (event(text="1"),)
    assert "deprecated" in caplog.text and TOKEN not in caplog.text
    with pytest.raises(BadSignature):
        get("passthru__quoted_digits", "inbound", token="0" * 32, in_query=True)


def test_a_query_string_replaced_by_exotel_keeps_the_secret() -> None:
    """Exotel's dynamic URL may replace the query: the path still carries the secret."""
    request = WebhookRequest("GET", f"{BASE}/s/{TOKEN}/prompt?" + fixture("prompt__gather"),
                             {}, b"")
    assert adapter().handle_webhook(request, "prompt").events == (event(payload="gather"),)


def test_a_gather_with_no_digits_at_all_is_not_a_new_call_to_the_adapter() -> None:
    """Without `digits` the adapter cannot tell the start from a time-out: the gateway does
    (tests/services/voice/test_exotel_calls.py); an empty `digits` is no input here."""
    assert get("passthru__start", "inbound").events[0].kind is EventKind.CALL_STARTED
    assert get("passthru__no_input", "inbound").events[0].kind is EventKind.NO_INPUT


def test_a_missed_call_number_starts_no_ivr() -> None:
    result = get("passthru__start", "inbound", missed_call="true")
    assert result.events == (event(f"{CALL}:missed", kind=EventKind.MISSED_CALL),)
    assert result.response.status == 200


@pytest.mark.parametrize("in_query", [False, True], ids=["path", "query"])
@pytest.mark.parametrize("token", [None, "", "0" * 32, TOKEN.upper(), TOKEN + "x"])
@pytest.mark.parametrize("kind", ["inbound", "prompt", "status"])
def test_a_request_without_the_right_token_is_refused(token: str | None, kind: str,
                                                      in_query: bool) -> None:
    name = {"inbound": "passthru__quoted_digits", "prompt": "prompt__gather",
            "status": "status__completed"}[kind]
    with pytest.raises(BadSignature):
        get(name, kind, token=token, in_query=in_query)


@pytest.mark.parametrize("first", ["wrong", TOKEN])
def test_a_url_with_two_tokens_is_refused(first: str) -> None:
    """Which one would count is ambiguous, so neither does."""
    with pytest.raises(BadSignature):
        get("passthru__quoted_digits", "inbound", token=first, extra=f"token={TOKEN}&",
            in_query=True)


def test_a_wrong_secret_in_the_path_is_not_saved_by_a_right_one_in_the_query() -> None:
    with pytest.raises(BadSignature):
        get("passthru__quoted_digits", "inbound", token="0" * 32, extra=f"token={TOKEN}&")


# -- answers -----------------------------------------------------------------------------


@dataclass
class FakeClips:
    """A ClipSource joining clips into one named file."""

    joined_pieces: list[tuple[str, str]] = field(default_factory=list)

    def urls(self, language: str, clips: Sequence[Clip]) -> list[str]:
        """Not used by Exotel."""
        raise AssertionError("Exotel takes one audio file per prompt")

    def joined(self, language: str, pieces: Sequence[tuple[str, Clip]]) -> str | None:
        """One URL for the whole prompt."""
        self.joined_pieces += [(code, clip.id) for code, clip in pieces]
        return f"https://clips.example/{language}/prompt.joined.wav"


MENU = (Choice("grievance", "शिकायत दर्ज करें"), Choice("track", "शिकायत की स्थिति"))


def reply(language: str, *parts: MessagePart, choices: tuple[Choice, ...] = (),
          ask: Ask = Ask.NONE) -> OutboundMessage:
    """A logged reply."""
    text = "\n\n".join(translate(language, p.key, dict(p.params)) for p in parts)
    return OutboundMessage(CALLER, text, choices, ask, language, parts=parts)


def answer(message: OutboundMessage, kind: str = "prompt", applet: str = "gather",
           clips: FakeClips | None = None, no_input: int = 0, page: int = 0,
           **config: object) -> tuple[int, Any]:
    """The adapter's answer: status and, for a Gather fetch, its JSON (the account's applet
    speaks Hindi unless the test says otherwise)."""
    context = ReplyContext(kind, BASE, clips or FakeClips(), no_input, page)
    config = {"tts_language": "hi", **config}
    response = adapter(**config).respond(event(payload=applet), [message], context)
    body = json.loads(response.body) if response.media_type == "application/json" else None
    return response.status, body


def test_a_passthru_goes_on_to_the_gather_applet() -> None:
    assert answer(reply("hi", MessagePart("menu.prompt"), choices=MENU), kind="inbound") == (
        200, None)


def test_a_hindi_menu_is_said_by_exotel_tts_in_a_hindi_applet() -> None:
    status, body = answer(reply("hi", MessagePart("menu.prompt"), choices=MENU, ask=Ask.CHOICE))
    assert status == 200
    assert set(body) == {"gather_prompt", "max_input_digits", "finish_on_key", "input_timeout"}
    assert (body["max_input_digits"], body["finish_on_key"]) == (1, "#")
    text = body["gather_prompt"]["text"]
    assert text.startswith(translate("hi", "menu.prompt"))


def test_the_prompt_after_nothing_was_pressed_starts_with_the_no_input_line() -> None:
    message = reply("hi", MessagePart("menu.prompt"), choices=MENU, ask=Ask.CHOICE)
    _, first = answer(message)
    _, again = answer(message, no_input=1)
    assert again["gather_prompt"]["text"] == (
        translate("hi", "ivr.no_input") + " " + first["gather_prompt"]["text"])


@pytest.mark.parametrize("applet", ["en", "ta"])
def test_a_hindi_prompt_in_an_applet_set_to_another_language_is_played_from_clips(
        applet: str) -> None:
    """Exotel reads `text` in the applet's language: Hindi in an English voice is gibberish."""
    clips = FakeClips()
    _, body = answer(reply("hi", MessagePart("menu.prompt"), choices=MENU, ask=Ask.CHOICE),
                     clips=clips, tts_language=applet)
    assert body["gather_prompt"] == {"audio_url": "https://clips.example/hi/prompt.joined.wav"}
    assert {code for code, _ in clips.joined_pieces} == {"hi"}


def test_an_applet_set_to_english_by_default_reads_english_only() -> None:
    message = reply("en", MessagePart("menu.prompt"), choices=(Choice("a", "File"),),
                    ask=Ask.CHOICE)
    assert "text" in answer(message, tts_language="")[1]["gather_prompt"]
    hindi = reply("hi", MessagePart("menu.prompt"), choices=MENU, ask=Ask.CHOICE)
    assert "audio_url" in answer(hindi, tts_language="")[1]["gather_prompt"]


@pytest.mark.parametrize("message", [
    reply("hi", MessagePart("menu.prompt"), choices=MENU, ask=Ask.CHOICE),
    reply("hi", MessagePart("track.ask_id"), ask=Ask.TEXT),
    reply("hi", MessagePart("grievance.ask_description"), ask=Ask.TEXT),
    reply("hi", MessagePart("grievance.filed", {"id": "PB-AMR-2026-000123", "due": "3 दिसंबर"})),
], ids=["menu", "number", "record", "said"])
def test_every_input_timeout_is_one_the_applet_accepts(message: OutboundMessage) -> None:
    """10 s was reported refused; Exotel documents 5 s as the default."""
    _, body = answer(message)
    assert body["input_timeout"] in ACCEPTED_TIMEOUTS and body["input_timeout"] <= 5


def no_input(message: OutboundMessage, times: int) -> int:
    """The Passthru's status after the prompt timed out `times` times in a row."""
    context = ReplyContext("inbound", BASE, FakeClips(), times)
    return adapter().respond(event(kind=EventKind.NO_INPUT), [message], context).status


def test_nothing_pressed_repeats_a_question_once_then_gives_up() -> None:
    for message in (reply("hi", MessagePart("menu.prompt"), choices=MENU, ask=Ask.CHOICE),
                    reply("hi", MessagePart("track.ask_id"), ask=Ask.TEXT)):
        assert [no_input(message, n) for n in (1, 2)] == [200, 302]


def test_nothing_said_at_a_description_goes_on_to_the_recording() -> None:
    message = reply("hi", MessagePart("grievance.ask_description"), ask=Ask.TEXT)
    assert no_input(message, 1) == 302  # the routing Passthru answers 200: Voicemail
    said = reply("hi", MessagePart("grievance.filed", {"id": "PB-AMR-2026-000123", "due": "x"}))
    assert no_input(said, 1) == 302  # nothing asked: the goodbye


def test_a_number_takes_many_digits() -> None:
    _, body = answer(reply("hi", MessagePart("track.ask_id"), ask=Ask.TEXT))
    assert (body["max_input_digits"], body["finish_on_key"]) == (15, "#")
    assert translate("hi", "ivr.number_hint") in body["gather_prompt"]["text"]


def test_a_description_prompt_times_out_into_the_recording_branch() -> None:
    message = reply("hi", MessagePart("grievance.ask_description"), ask=Ask.TEXT)
    _, body = answer(message)
    assert body["max_input_digits"] == 1 and body["input_timeout"] <= 3
    assert "repeat_menu" not in body
    assert translate("hi", "ivr.record_hint") in body["gather_prompt"]["text"]
    assert answer(message, applet="route") == (200, None)


@pytest.mark.parametrize("message", [
    reply("hi", MessagePart("menu.prompt"), choices=MENU, ask=Ask.CHOICE),
    reply("hi", MessagePart("track.ask_id"), ask=Ask.TEXT),
    reply("hi", MessagePart("grievance.filed", {"id": "PB-AMR-2026-000123", "due": "3 दिसंबर"})),
], ids=["menu", "number", "said"])
def test_the_routing_applet_hangs_up_unless_a_recording_is_asked(
        message: OutboundMessage) -> None:
    assert answer(message, applet="route") == (302, None)


def test_odia_is_one_joined_audio_file() -> None:
    clips = FakeClips()
    filed = MessagePart("grievance.filed", {"id": "PB-AMR-2026-000123", "due": "3 ଡିସେମ୍ବର"})
    _, body = answer(reply("or", filed), clips=clips)
    assert body["gather_prompt"] == {"audio_url": "https://clips.example/or/prompt.joined.wav"}
    ids = [clip for _, clip in clips.joined_pieces]
    assert ids[0] == "voice.grievance.filed.0" and "letter.P" in ids and "digit.3" in ids
    assert {code for code, _ in clips.joined_pieces} == {"or"}


def test_a_language_menu_is_joined_across_languages() -> None:
    clips = FakeClips()
    choices = (Choice("en", "English"), Choice("hi", "हिन्दी"), Choice("or", "ଓଡ଼ିଆ"))
    _, body = answer(reply("en", MessagePart("language.prompt"), choices=choices,
                           ask=Ask.CHOICE), clips=clips, page=1)  # after "9: other languages"
    assert "audio_url" in body["gather_prompt"]
    assert {code for code, _ in clips.joined_pieces} == {"en", "hi", "or"}


def test_tts_can_be_turned_off() -> None:
    _, body = answer(reply("hi", MessagePart("menu.prompt"), choices=MENU, ask=Ask.CHOICE),
                     tts="false")
    assert "audio_url" in body["gather_prompt"]
