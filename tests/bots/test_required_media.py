"""A category that requires a location or a photo: asked without a way to skip it."""

from __future__ import annotations

from dataclasses import replace

from bots.engine import LOCATE, SKIP, Engine
from bots.events import UserInput
from bots.prompts import AskKind
from tests.bots.support import DESCRIPTION, Chat, make_ctx

UNMAPPED = {"mapped": False}
"""What `places.locate` answers in a city without ward boundaries."""


def _chat(engine: Engine, *, location: bool, photo: bool, needs: frozenset[str]) -> Chat:
    """Having chosen `garbage`, which requires `needs`: at the location question where one is
    asked (before the locality list), else at the list."""
    ctx = replace(make_ctx(), can_locate=location, can_photo=photo,
                  required={"garbage": needs})
    return Chat(engine, ctx).to_locality()


def test_sms_asks_a_required_location_as_a_landmark(engine: Engine) -> None:
    chat = _chat(engine, location=False, photo=False, needs=frozenset({"location"}))
    assert chat.keys == ["grievance.ask_landmark"]
    assert chat.prompt.ask is AskKind.TEXT and chat.prompt.options == ()
    chat.send("skip")
    assert chat.keys == ["grievance.location_needed", "grievance.ask_landmark"]
    chat.send("7")  # a number is not a place
    assert chat.keys == ["grievance.location_needed", "grievance.ask_landmark"]
    chat.send("Opposite the Durgiana temple gate")
    assert chat.keys == ["grievance.ask_locality"]  # a landmark is not placed: the list
    chat.send("1")
    assert chat.keys == ["grievance.ask_description"]
    chat.send(DESCRIPTION)
    chat.send("yes", payload="yes")
    (call,) = chat.calls
    assert call.args["location"] == {"text": "Opposite the Durgiana temple gate"}


def test_a_required_location_offers_no_skip(engine: Engine) -> None:
    chat = _chat(engine, location=True, photo=True, needs=frozenset({"location"}))
    assert chat.keys == ["grievance.ask_location"]
    assert chat.prompt.options == (LOCATE,)
    chat.send("", payload=SKIP.id)  # an old button pressed anyway
    assert chat.keys == ["grievance.location_needed", "grievance.ask_location"]
    chat.feed(UserInput(location=(31.62, 74.87)))
    chat.result("places.locate", UNMAPPED)
    assert chat.keys == ["grievance.ask_locality"]
    chat.send("1")
    assert chat.keys == ["grievance.ask_description"]
    chat.send(DESCRIPTION)
    assert chat.keys == ["grievance.ask_photo"]  # the photo stays optional
    assert chat.prompt.options == (SKIP,)


def test_a_required_photo_cannot_be_skipped(engine: Engine) -> None:
    chat = _chat(engine, location=True, photo=True, needs=frozenset({"photo"}))
    chat.send("skip")  # the location is optional for this category
    chat.send("1")
    chat.send(DESCRIPTION)
    assert chat.keys == ["grievance.ask_photo_required"]
    assert chat.prompt.ask is AskKind.PHOTO and chat.prompt.options == ()
    chat.send("skip")
    assert chat.keys == ["grievance.photo_needed", "grievance.ask_photo_required"]
    chat.feed(UserInput(media=("wa-media:77",)))
    assert chat.keys == ["grievance.confirm"]
    chat.send("yes", payload="yes")
    (call,) = chat.calls
    assert call.args["photo"] == {"media": ["wa-media:77"]} and call.args["location"] is None


def test_a_required_photo_is_not_asked_where_none_can_be_sent(engine: Engine) -> None:
    chat = _chat(engine, location=False, photo=False, needs=frozenset({"photo"}))
    chat.send("1")
    chat.send(DESCRIPTION)
    assert chat.keys == ["grievance.confirm"]


def test_other_categories_keep_their_skip(engine: Engine) -> None:
    ctx = replace(make_ctx(), can_locate=True, can_photo=True,
                  required={"water": frozenset({"photo", "location"})})
    chat = Chat(engine, ctx).to_locality()  # garbage: nothing required
    assert chat.keys == ["grievance.ask_location"]
    assert chat.prompt.options == (LOCATE, SKIP)
