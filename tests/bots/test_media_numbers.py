"""A number typed at a location or photo question means what the citizen sees numbered, and
misses there never cost the draft (WhatsApp: the send-location button carries no number)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bots.engine import MAX_RETRIES, Engine
from bots.events import UserInput
from tests.bots.support import DESCRIPTION, Chat, make_ctx


def _whatsapp(engine: Engine, language: str) -> Chat:
    """A citizen on WhatsApp Cloud, the category chosen: at the location question."""
    ctx = replace(make_ctx(language), can_locate=True, can_photo=True, location_button=True)
    return Chat(engine, ctx).to_locality()


@pytest.mark.parametrize(("language", "one"), [("hi", "१"), ("pa", "੧")])
def test_one_skips_where_the_location_button_has_no_number(engine: Engine, language: str,
                                                           one: str) -> None:
    chat = _whatsapp(engine, language)
    assert chat.keys == ["grievance.ask_location"]
    chat.send(one)
    assert chat.keys == ["grievance.ask_locality"]  # skipped: no location hint


def test_typed_numbers_still_count_both_where_both_are_numbered(engine: Engine) -> None:
    """Twilio WhatsApp numbers "1. Share location 2. Skip": 1 is the share option."""
    ctx = replace(make_ctx("hi"), can_locate=True, can_photo=True)
    chat = Chat(engine, ctx).to_locality()
    chat.send("1")
    assert chat.keys == ["grievance.location_hint", "grievance.ask_location"]
    chat.send("2")
    assert chat.keys == ["grievance.ask_locality"]


def test_misses_at_the_photo_step_keep_the_draft(engine: Engine) -> None:
    chat = _whatsapp(engine, "hi")
    chat.send("१")
    chat.send(payload=chat.ctx.options("localities")[0].id)
    chat.send(DESCRIPTION)
    assert chat.keys == ["grievance.ask_photo"]
    for _ in range(MAX_RETRIES + 2):
        chat.send("9")
        assert chat.keys == ["error.not_understood", "grievance.ask_photo"]
    chat.send("१")  # the one button, skip
    assert chat.keys == ["grievance.confirm"]
    assert chat.session.slots["description"] == DESCRIPTION


def test_misses_at_the_location_step_keep_the_draft(engine: Engine) -> None:
    chat = _whatsapp(engine, "hi")
    for _ in range(MAX_RETRIES + 1):
        chat.feed(UserInput("", "__location__"))  # pressed, no location came
        assert chat.keys == ["grievance.location_hint", "grievance.ask_location"]
    assert chat.session.slots["category"] == chat.ctx.options("categories")[0].id
