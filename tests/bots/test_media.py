"""Location and photo questions: asked only where the channel can answer, and skippable."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bots.engine import LOCATE, SKIP, Engine
from bots.events import UserInput
from bots.prompts import AskKind
from tests.bots.support import DESCRIPTION, Chat, make_ctx

UNMAPPED = {"mapped": False}
"""What `places.locate` answers in a city without ward boundaries."""


def _chat(engine: Engine, location: bool, photo: bool) -> Chat:
    """A citizen on a channel with the given abilities, the category chosen: at the location
    question where the channel can share one, else at the locality list."""
    ctx = replace(make_ctx(), can_locate=location, can_photo=photo)
    return Chat(engine, ctx).to_locality()


def test_text_only_channels_are_never_asked(engine: Engine) -> None:
    chat = _chat(engine, location=False, photo=False)
    chat.send("1")
    assert chat.keys == ["grievance.ask_description"]
    chat.send(DESCRIPTION)
    assert chat.keys == ["grievance.confirm"]


def test_a_shared_location_and_photo_reach_the_filing(engine: Engine) -> None:
    chat = _chat(engine, location=True, photo=True)
    assert chat.keys == ["grievance.ask_location"]  # asked before the list, to place it
    assert chat.prompt.ask is AskKind.LOCATION
    assert chat.prompt.options == (LOCATE, SKIP)
    chat.send("", payload=LOCATE.id)  # pressed the button, but no location came with it
    assert chat.keys == ["grievance.location_hint", "grievance.ask_location"]
    chat.feed(UserInput(location=(31.6340, 74.8723)))
    (locate,) = chat.calls
    assert locate.op == "places.locate"
    assert locate.args == {"location": {"lat": 31.6340, "lon": 74.8723}}
    chat.result("places.locate", UNMAPPED)
    assert chat.keys == ["grievance.ask_locality"]  # nothing to place it in: the list
    chat.send("1")
    assert chat.keys == ["grievance.ask_description"]
    chat.send(DESCRIPTION)
    assert chat.keys == ["grievance.ask_photo"]
    assert chat.prompt.ask is AskKind.PHOTO
    chat.feed(UserInput(media=("tg-file:abc",)))
    chat.send("yes", payload="yes")
    (call,) = chat.calls
    assert call.op == "grievance.file"
    assert call.args["location"] == {"lat": 31.6340, "lon": 74.8723}
    assert call.args["photo"] == {"media": ["tg-file:abc"]}


@pytest.mark.parametrize(("text", "payload"), [("", "skip"), ("skip", None)])
def test_skipping_files_without(engine: Engine, text: str, payload: str | None) -> None:
    chat = _chat(engine, location=True, photo=True)
    chat.send(text, payload)
    assert chat.keys == ["grievance.ask_locality"] and not chat.calls
    chat.send("1")
    chat.send(DESCRIPTION)
    chat.send(text, payload)
    assert chat.keys == ["grievance.confirm"]
    chat.send("yes", payload="yes")
    (call,) = chat.calls
    assert call.args["location"] is None and call.args["photo"] is None


def test_a_typed_landmark_stands_for_the_location(engine: Engine) -> None:
    chat = _chat(engine, location=True, photo=False)
    chat.send("Opposite the Golden Temple parking")
    assert chat.session.slots["location"] == {"text": "Opposite the Golden Temple parking"}
    assert chat.keys == ["grievance.ask_locality"] and not chat.calls


def test_a_photo_question_does_not_take_text(engine: Engine) -> None:
    chat = _chat(engine, location=False, photo=True)
    chat.send("1")
    chat.send(DESCRIPTION)
    chat.send("here it is")
    assert chat.keys == ["error.not_understood", "grievance.ask_photo"]


def test_a_recorded_description_reaches_the_filing_as_its_recording(engine: Engine) -> None:
    """A caller answers the description with a recording (the gateway's placeholder text
    and the recording's reference): both reach the filing; a typed answer after a change
    leaves no stale recording behind."""
    chat = Chat(engine, make_ctx()).to_description()
    chat.feed(UserInput(text="[voice recording]", media=("https://rec.example/RE1",)))
    assert chat.keys == ["grievance.confirm"]
    chat.send("yes", payload="yes")
    (call,) = chat.calls
    assert call.args["description"] == "[voice recording]"
    assert call.args["recording"] == ["https://rec.example/RE1"]
    typed = Chat(engine, make_ctx()).to_description()
    typed.feed(UserInput(text="[voice recording]", media=("https://rec.example/RE2",)))
    typed.send("no", payload="no")
    typed.send(payload="description")
    typed.send(DESCRIPTION)
    typed.send("yes", payload="yes")
    (filed,) = typed.calls
    assert filed.args["description"] == DESCRIPTION and filed.args["recording"] is None
