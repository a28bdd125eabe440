"""TwiML for each kind of prompt: voices, languages, keys, recording, clips, no-input fallback."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import pytest

from channels.base import ReplyContext
from channels.contract import Ask, Choice, EventKind, InboundEvent, MessagePart, OutboundMessage
from channels.registry import build_adapter
from i18n import translate
from i18n.voice import Clip

BASE = "https://nagarsetu.example.in/webhooks/twilio-voice/acc-9"
CALL = "CA5f2c1b8e0d3a4f6b9c7e1d2a3b4c5d6e"
MENU = (Choice("grievance", "शिकायत दर्ज करें"), Choice("track", "शिकायत की स्थिति"),
        Choice("language", "भाषा बदलें"), Choice("help", "मदद"))


@dataclass
class FakeClips:
    """A ClipSource that names clips by URL and remembers what was asked."""

    asked: list[tuple[str, str]] = field(default_factory=list)

    def urls(self, language: str, clips: Sequence[Clip]) -> list[str]:
        """One URL per clip."""
        self.asked += [(language, c.id) for c in clips]
        return [f"https://clips.example/{language}/{c.id}.wav" for c in clips]

    def joined(self, language: str, pieces: Sequence[tuple[str, Clip]]) -> str | None:
        """Not used by Twilio."""
        raise AssertionError("Twilio plays clips one by one")


def respond(message: OutboundMessage, step: int = 3,
            clips: FakeClips | None = None, page: int = 0) -> ET.Element:
    """The adapter's TwiML for a reply to the answer at `step`, parsed."""
    adapter = build_adapter("twilio-voice", {"account_sid": "AC" + "1" * 32,
                                             "auth_token": "2" * 32, "address": "+12185550143"})
    event = InboundEvent(f"{CALL}:{step}", "+919876543210", "+12185550143", session=CALL)
    context = ReplyContext("inbound", BASE, clips or FakeClips(), page=page)
    response = adapter.respond(event, [message], context)
    assert response.status == 200 and response.media_type == "text/xml"
    return ET.fromstring(response.body)


def message(language: str, *parts: MessagePart, choices: tuple[Choice, ...] = (),
            ask: Ask = Ask.NONE) -> OutboundMessage:
    """A reply as the runner logs it."""
    text = "\n\n".join(translate(language, p.key, dict(p.params)) for p in parts)
    return OutboundMessage("+919876543210", text, choices, ask, language, parts=parts)


def action(element: ET.Element) -> dict[str, list[str]]:
    """The query of an element's action URL (which must be the account's webhook)."""
    url = element.get("action", "")
    assert url.split("?")[0] == BASE
    return parse_qs(urlsplit(url).query)


def said(element: ET.Element) -> list[tuple[str, str | None, str | None, str]]:
    """(verb, voice, language, text) of the Say/Play children."""
    return [(c.tag, c.get("voice"), c.get("language"), (c.text or "").strip()) for c in element]


def test_a_hindi_menu_takes_one_key_or_hindi_speech() -> None:
    root = respond(message("hi", MessagePart("menu.prompt"), choices=MENU, ask=Ask.CHOICE))
    assert [c.tag for c in root] == ["Gather", "Say", "Gather", "Say", "Hangup"]
    first, no_input, second, goodbye = root[0], root[1], root[2], root[3]
    assert first.attrib == second.attrib
    assert action(first) == {"step": ["4"]}
    assert (first.get("input"), first.get("numDigits"), first.get("language")) == (
        "dtmf speech", "1", "hi-IN")
    assert first.get("method") == "POST" and first.get("timeout") == "6"
    assert "शिकायत दर्ज करें" in first.get("hints", "")
    ((verb, voice, language, text),) = said(first)
    assert (verb, voice, language) == ("Say", "Google.hi-IN-Standard-A", "hi-IN")
    assert text.startswith(translate("hi", "menu.prompt"))
    for digit, key in enumerate(("ivr.key.file", "ivr.key.track"), start=1):
        assert translate("hi", key, {"digit": digit}) in text  # "शिकायत दर्ज करने के लिए 1 …"
    assert said(second) == said(first)
    assert no_input.text == translate("hi", "ivr.no_input")
    assert goodbye.text == translate("hi", "ivr.goodbye")
    assert goodbye.get("voice") == "Google.hi-IN-Standard-A"


def test_punjabi_is_keypad_only() -> None:
    """Punjabi has a Twilio voice but no confirmed speech recognition."""
    choices = (Choice("grievance", "ਸ਼ਿਕਾਇਤ ਦਰਜ ਕਰੋ"), Choice("track", "ਸ਼ਿਕਾਇਤ ਦੀ ਸਥਿਤੀ"))
    gather = respond(message("pa", MessagePart("menu.prompt"), choices=choices,
                             ask=Ask.CHOICE))[0]
    assert (gather.get("input"), gather.get("language")) == ("dtmf", None)
    assert said(gather)[0][1:3] == ("Google.pa-IN-Standard-A", "pa-IN")


def test_the_language_menu_offers_the_callers_language_then_the_others() -> None:
    """The state's default first, alone; "press 9 for other languages"; then the others, each
    in its own voice (Urdu and Odia from clips)."""
    clips = FakeClips()
    choices = (Choice("hi", "हिन्दी"), Choice("en", "English"), Choice("ur", "اردو"),
               Choice("or", "ଓଡ଼ିଆ"), Choice("__more__", "और विकल्प"))
    prompt = message("hi", MessagePart("language.prompt"), choices=choices, ask=Ask.CHOICE)
    spoken = said(respond(prompt, clips=clips)[0])
    assert spoken == [("Say", "Google.hi-IN-Standard-A", "hi-IN", " ".join((
        translate("hi", "language.prompt"), "हिन्दी के लिए 1 दबाएँ।",
        translate("hi", "ivr.key.other_languages", {"digit": 9}))))]
    others = said(respond(prompt, clips=clips, page=1)[0])
    assert others[1] == ("Say", "Google.en-IN-Standard-A", "en-IN", "For English, press 1.")
    plays = [text for verb, _, _, text in others if verb == "Play"]
    assert "https://clips.example/ur/digit.2.wav" in plays
    assert "https://clips.example/or/digit.3.wav" in plays
    assert ("ur", "ivr.press.1") in clips.asked or ("ur", "ivr.press.0") in clips.asked
    assert others[-1] == ("Say", "Google.hi-IN-Standard-A", "hi-IN",
                          translate("hi", "ivr.key.more", {"digit": 4}))


def test_a_number_is_typed_and_ended_with_hash() -> None:
    root = respond(message("hi", MessagePart("track.ask_id"), ask=Ask.TEXT))
    gather = root[0]
    assert gather.tag == "Gather" and action(gather) == {"step": ["4"]}
    assert (gather.get("input"), gather.get("finishOnKey"), gather.get("numDigits")) == (
        "dtmf", "#", None)
    assert gather.get("timeout") == "10"
    assert translate("hi", "ivr.number_hint") in said(gather)[0][3]


def test_a_description_is_recorded() -> None:
    root = respond(message("hi", MessagePart("grievance.ask_description"), ask=Ask.TEXT),
                   step=6)
    assert [c.tag for c in root] == ["Say", "Record", "Say", "Say", "Record", "Say", "Hangup"]
    record = root[1]
    assert action(record) == {"step": ["7"], "lang": ["hi"]}
    assert record.attrib["maxLength"] == "120" and record.attrib["finishOnKey"] == "#"
    assert record.attrib["playBeep"] == "true"
    assert translate("hi", "ivr.record_hint") in (root[0].text or "")
    assert root[2].text == translate("hi", "ivr.no_input")
    assert root[4].attrib == record.attrib


def test_the_grievance_number_is_read_one_character_at_a_time() -> None:
    filed = MessagePart("grievance.filed", {"id": "PB-AMR-2026-000123", "due": "3 दिसंबर 2026"})
    root = respond(message("hi", filed))
    assert [c.tag for c in root] == ["Gather", "Say", "Hangup"]
    gather = root[0]
    assert action(gather) == {"step": ["4"], "menu": ["1"]}
    assert gather.get("numDigits") == "1"
    text = said(gather)[0][3]
    assert "P B, A M R, 2 0 2 6, 0 0 0 1 2 3" in text
    assert "PB-AMR" not in text
    assert text.endswith(translate("hi", "ivr.menu_hint"))


def test_odia_is_played_from_clips() -> None:
    clips = FakeClips()
    filed = MessagePart("grievance.filed", {"id": "PB-AMR-2026-000123", "due": "3 ଡିସେମ୍ବର"})
    gather = respond(message("or", filed), clips=clips)[0]
    assert {verb for verb, *_ in said(gather)} == {"Play"}
    ids = [clip for _, clip in clips.asked]
    assert ids[0] == "voice.grievance.filed.0"
    assert ids[ids.index("letter.P"):ids.index("letter.P") + 3] == [
        "letter.P", "letter.B", "letter.A"]
    assert "ivr.menu_hint.0" in ids
    plays = [text for *_, text in said(gather)]
    assert plays == [f"https://clips.example/or/{clip}.wav" for clip in ids[:len(plays)]]
    assert ids[len(plays):] == ["ivr.goodbye.0"]  # said after the Gather, before hanging up


def test_urdu_plays_clips_and_listens_to_urdu_speech() -> None:
    choices = (Choice("grievance", "شکایت درج کریں"), Choice("track", "شکایت کی صورتحال"))
    gather = respond(message("ur", MessagePart("menu.prompt"), choices=choices,
                             ask=Ask.CHOICE))[0]
    assert (gather.get("input"), gather.get("language")) == ("dtmf speech", "ur-IN")
    assert {verb for verb, *_ in said(gather)} == {"Play"}


def test_when_no_clip_can_be_made_the_text_is_said_anyway() -> None:
    class NoClips(FakeClips):
        def urls(self, language: str, clips: Sequence[Clip]) -> list[str]:
            return []

    gather = respond(message("or", MessagePart("menu.prompt"), choices=(Choice("a", "A"),),
                             ask=Ask.CHOICE), clips=NoClips())[0]
    assert said(gather)[0][0:3] == ("Say", None, None)


@pytest.mark.parametrize("kind", [EventKind.CALL_STARTED, EventKind.MESSAGE])
def test_the_first_answer_of_a_call_is_step_one(kind: EventKind) -> None:
    root = respond(message("en", MessagePart("menu.prompt"), choices=MENU[:1],
                           ask=Ask.CHOICE), step=0)
    assert action(root[0]) == {"step": ["1"]}


def test_a_recording_url_in_a_description_is_not_read_out() -> None:
    confirm = MessagePart("grievance.confirm", {
        "category": "Roads", "locality": "Hall Bazaar",
        "description": "(voice recording) https://api.twilio.com/2010-04-01/Accounts/AC1/"
                       "Recordings/RE2"})
    root = respond(message("en", confirm, choices=(Choice("yes", "Yes"), Choice("no", "No")),
                           ask=Ask.CHOICE))
    text = said(root[0])[0][3]
    assert "(voice recording)" in text and "http" not in text and "api.twilio" not in text
