"""What a caller hears (channels/voice.py, shared by the voice adapters): the rules, one by one."""

from __future__ import annotations

from datetime import date

import pytest
from babel.dates import get_month_names

from channels.contract import Ask, Choice, MessagePart, OutboundMessage
from channels.voice import (
    NEXT,
    VOICE_FORMS,
    Listen,
    flag,
    heard,
    keys,
    listen_for,
    pages,
    recording_text,
    tts_text,
)
from i18n import KNOWN, LANGUAGES, translate
from i18n.format import format_date
from i18n.voice import clip_ids


def reply(*parts: MessagePart, choices: tuple[Choice, ...] = (), ask: Ask = Ask.NONE,
          language: str = "en", text: str = "") -> OutboundMessage:
    """A reply as the runner returns it."""
    return OutboundMessage("+919876543210", text, choices, ask, language, parts=parts)


@pytest.mark.parametrize(("message", "expected"), [
    (reply(MessagePart("menu.prompt"), choices=(Choice("a", "A"),), ask=Ask.CHOICE), Listen.KEY),
    (reply(MessagePart("grievance.ask_description"), ask=Ask.TEXT), Listen.RECORD),
    (reply(MessagePart("track.ask_id"), ask=Ask.TEXT), Listen.NUMBER),
    (reply(MessagePart("session.expired"), MessagePart("track.ask_id"), ask=Ask.TEXT),
     Listen.NUMBER),
    (reply(ask=Ask.NUMBER), Listen.NUMBER),
    (reply(MessagePart("help.text")), Listen.NOTHING),
    (reply(MessagePart("grievance.ask_photo"), ask=Ask.PHOTO), Listen.NOTHING),
], ids=["choice", "description", "number-prompt", "number-after-lead", "number", "said",
        "photo"])
def test_what_a_prompt_waits_for(message: OutboundMessage, expected: Listen) -> None:
    assert listen_for(message) is expected


def test_without_recording_a_text_question_takes_digits() -> None:
    assert listen_for(reply(MessagePart("grievance.ask_description"), ask=Ask.TEXT),
                      can_record=False) is Listen.NUMBER


def test_ids_in_labels_are_spelled_and_addresses_dropped() -> None:
    choices = (Choice("PB-AMR-2026-000123", "PB-AMR-2026-000123 - Roads (Registered)"),)
    said = heard(reply(MessagePart("track.ask"), choices=choices, ask=Ask.CHOICE))
    text = tts_text(said)
    assert "For P B, A M R, 2 0 2 6, 0 0 0 1 2 3 Roads (Registered), press 1." in text
    ids = clip_ids(said[1].plan)
    assert ids[:4] == ["ivr.press.0", "letter.P", "letter.B", "letter.A"]
    assert ids[-1] == "digit.1"


def test_a_message_without_parts_is_said_from_its_text() -> None:
    said = heard(reply(text="Visit https://example.in/x for PB-AMR-2026-000001"))
    assert tts_text(said).startswith("Visit for P B, A M R, 2 0 2 6, 0 0 0 0 0 1.")


def test_parts_that_no_longer_fit_the_catalog_fall_back_to_the_text() -> None:
    said = heard(reply(MessagePart("grievance.filed", {"id": "X-1"}), text="Filed X-1"))
    assert tts_text(said).startswith("Filed X, 1.")


def test_a_long_menu_is_said_four_options_at_a_time() -> None:
    """At most five keys at once: four options and the key to the next four."""
    choices = tuple(Choice(str(n), f"Option {n}") for n in range(1, 10))
    message = reply(MessagePart("menu.prompt"), choices=choices, ask=Ask.CHOICE)
    assert [len(page) for page in pages(message)] == [4, 4, 1]
    first = tts_text(heard(message))
    assert "For Option 4, press 4." in first and "Option 5" not in first
    assert first.endswith("For more options, press 5.")
    second = tts_text(heard(message, page=1))
    assert "For Option 5, press 1." in second and second.endswith("For more options, press 5.")
    assert tts_text(heard(message, page=2)).endswith("For Option 9, press 1.")
    assert keys(message, 1)[0] == ("1", choices[4])


def test_five_options_are_said_at_once() -> None:
    choices = tuple(Choice(str(n), f"Option {n}") for n in range(1, 6))
    message = reply(MessagePart("menu.prompt"), choices=choices, ask=Ask.CHOICE)
    assert [digit for digit, _ in keys(message)] == ["1", "2", "3", "4", "5"]
    assert NEXT not in [choice for _, choice in keys(message)]


def test_actions_are_said_for_the_ear_in_every_language() -> None:
    """"To file a complaint, press 1", not "Press 1 for File a complaint"; in Hindi "शिकायत
    दर्ज करने के लिए", not "शिकायत दर्ज करें के लिए"."""
    for language in KNOWN:
        menu_choices = tuple(Choice(cid, translate(language, key)) for cid, key in (
            ("grievance", "menu.file"), ("track", "menu.track"), ("help", "menu.help")))
        text = tts_text(heard(reply(MessagePart("menu.prompt"), choices=menu_choices,
                                    ask=Ask.CHOICE, language=language)))
        assert translate(language, "ivr.key.file", {"digit": 1}) in text, language
        assert translate(language, "ivr.press", {"digit": 1,
                                                 "label": menu_choices[0].label}) not in text
    hindi = tts_text(heard(reply(MessagePart("menu.prompt"), ask=Ask.CHOICE, language="hi",
                                 choices=(Choice("grievance", translate("hi", "menu.file")),))))
    assert "शिकायत दर्ज करने के लिए 1 दबाएँ।" in hindi and "करें के लिए" not in hindi
    english = tts_text(heard(reply(MessagePart("menu.prompt"), ask=Ask.CHOICE,
                                   choices=(Choice("grievance", "File a complaint"),))))
    assert "To file a complaint, press 1." in english


@pytest.mark.parametrize("key", sorted(VOICE_FORMS))
def test_no_prompt_tells_a_caller_to_type_or_send(key: str) -> None:
    said = tts_text(heard(reply(MessagePart(key, {"id": "PB-AMR-2026-000123", "due": "x"}))))
    words = said.lower()
    assert not any(w in words for w in ("type", "send", "write", "sms")), said


def test_a_recording_marker_is_in_the_callers_language() -> None:
    assert recording_text("ta") == translate("ta", "ivr.recording")
    assert recording_text("xx") == "(voice recording)"


@pytest.mark.parametrize(("value", "expected"), [
    (True, True), ("true", True), ("Yes", True), ("1", True), (1, True), (False, False),
    ("false", False), ("no", False), ("0", False), (0, False), (None, False), ("", False)])
def test_flag(value: object, expected: bool) -> None:
    assert flag(value) is expected


def test_flag_default() -> None:
    assert flag(None, default=True) and flag("", default=True) and not flag("no", default=True)


@pytest.mark.parametrize("language", sorted(KNOWN))
def test_dates_are_read_with_the_full_month_name(language: str) -> None:
    """The SMS shows "3 दिस॰ 2026"; a caller hears the month's whole name."""
    due = format_date(date(2026, 12, 3), language)
    said = heard(reply(MessagePart("grievance.filed", {"id": "PB-AMR-2026-000123", "due": due}),
                       language=language))
    clips = [c for u in said for c in clip_ids(u.plan)]
    assert "month.12" in clips, clips  # the CLDR month name, whole
    locale = LANGUAGES[language].locale
    short = str(get_month_names("abbreviated", "format", locale)[12]).rstrip(".")
    wide = str(get_month_names("wide", "format", locale)[12])
    text = tts_text(said)
    assert wide in text
    if not wide.startswith(short):
        assert short not in text, text
    assert "॰" not in text


def test_rupee_amounts_are_read_as_amounts() -> None:
    said = heard(reply(MessagePart("ivr.press", {"digit": "1", "label": "₹1,23,456.50"})))
    clips = [c for u in said for c in clip_ids(u.plan)]
    assert "word.lakh" in clips and "word.rupees" in clips and "word.paise" in clips


@pytest.mark.parametrize("language", sorted(KNOWN))
def test_the_first_language_menu_is_short_whatever_the_default(language: str) -> None:
    """The state's default language alone, then "press 9 for other languages": a dozen
    languages one after the other took 38 seconds."""
    others = tuple(Choice(code, code) for code in sorted(KNOWN) if code != language)
    choices = (Choice(language, LANGUAGES[language].endonym), *others[:7], Choice("__more__", "…"))
    said = heard(reply(MessagePart("language.prompt"), choices=choices, ask=Ask.CHOICE,
                       language=language))
    assert {u.language for u in said} == {language}
    assert len(tts_text(said).split()) <= 22
    assert [digit for digit, _ in keys(reply(MessagePart("language.prompt"), choices=choices,
                                             ask=Ask.CHOICE, language=language))] == ["1", "9"]
