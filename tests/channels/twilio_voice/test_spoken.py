"""What a caller hears (channels/voice.py, shared by the voice adapters): the rules, one by one."""

from __future__ import annotations

import pytest

from channels.contract import Ask, Choice, MessagePart, OutboundMessage
from channels.voice import Listen, flag, heard, listen_for, recording_text, tts_text
from i18n import translate
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
    assert "Press 1 for P B, A M R, 2 0 2 6, 0 0 0 1 2 3 Roads (Registered)." in text
    ids = clip_ids(said[1].plan)
    assert ids[:2] == ["ivr.press.0", "digit.1"]
    assert ids[3:6] == ["letter.P", "letter.B", "letter.A"]


def test_a_message_without_parts_is_said_from_its_text() -> None:
    said = heard(reply(text="Visit https://example.in/x for PB-AMR-2026-000001"))
    assert tts_text(said).startswith("Visit for P B, A M R, 2 0 2 6, 0 0 0 0 0 1.")


def test_parts_that_no_longer_fit_the_catalog_fall_back_to_the_text() -> None:
    said = heard(reply(MessagePart("grievance.filed", {"id": "X-1"}), text="Filed X-1"))
    assert tts_text(said).startswith("Filed X, 1.")


def test_more_than_nine_choices_offer_nine_keys() -> None:
    choices = tuple(Choice(str(n), f"Option {n}") for n in range(12))
    said = heard(reply(MessagePart("menu.prompt"), choices=choices, ask=Ask.CHOICE))
    assert len(said) == 1 + 9


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
