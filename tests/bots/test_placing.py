"""A shared location placed in a ward and locality: confirmed instead of picking from the list."""

from __future__ import annotations

from dataclasses import replace

from bots.engine import Engine
from bots.events import UserInput
from bots.prompts import Localized, Msg
from tests.bots.support import DESCRIPTION, Chat, make_ctx

POINT = (30.8865, 75.8445)
WARD = {"en": "Ward 12", "hi": "वार्ड 12"}
LOCALITY = {"en": "Model Town", "hi": "मॉडल टाउन"}
PLACED = {"mapped": True, "ward": "W12", "ward_names": WARD, "locality": "loc-model",
          "locality_names": LOCALITY}


def _located(engine: Engine, answer: dict[str, object], language: str = "en") -> Chat:
    """A WhatsApp-like citizen who chose a category, shared POINT and got `answer` back."""
    chat = Chat(engine, replace(make_ctx(language), can_locate=True)).to_locality()
    chat.feed(UserInput(location=POINT))
    (call,) = chat.calls
    assert call.op == "places.locate" and call.args == {"location": {"lat": POINT[0],
                                                                     "lon": POINT[1]}}
    chat.result("places.locate", answer)
    return chat


def test_a_placed_location_is_confirmed_instead_of_the_list(engine: Engine) -> None:
    chat = _located(engine, PLACED)
    assert chat.keys == ["grievance.confirm_place"]
    (part,) = chat.prompt.parts
    assert part.params == {"locality": Localized(LOCALITY), "ward": Localized(WARD)}
    assert [o.id for o in chat.prompt.options] == ["yes", "no"]
    assert chat.prompt.options[1].label == Msg("grievance.choose_from_list")
    chat.send("", payload="yes")
    assert chat.keys == ["grievance.ask_description"]
    chat.send(DESCRIPTION)
    assert chat.keys == ["grievance.confirm"]
    assert "Model Town" in str(chat.prompt.parts[0].params["locality"])
    chat.send("yes", payload="yes")
    (filing,) = chat.calls
    assert filing.args["locality"] == "loc-model"
    assert filing.args["location"] == {"lat": POINT[0], "lon": POINT[1]}


def test_no_shows_the_list_and_the_choice_wins(engine: Engine) -> None:
    chat = _located(engine, PLACED)
    chat.send("no")  # the keyword: not a cancellation here, the list instead
    assert chat.keys == ["grievance.ask_locality"]
    chat.send("Civil Lines")
    assert chat.keys == ["grievance.ask_description"]
    assert chat.session.slots["locality"] == "loc-civil"


def test_typed_yes_in_hindi_confirms(engine: Engine) -> None:
    chat = _located(engine, PLACED, language="hi")
    chat.send("हाँ")
    assert chat.keys == ["grievance.ask_description"]
    assert chat.session.slots["locality"] == "loc-model"


def test_outside_every_ward_says_so_and_shows_the_list(engine: Engine) -> None:
    chat = _located(engine, {"mapped": True})
    assert chat.keys == ["grievance.not_placed", "grievance.ask_locality"]


def test_a_city_without_boundaries_just_shows_the_list(engine: Engine) -> None:
    chat = _located(engine, {"mapped": False})
    assert chat.keys == ["grievance.ask_locality"]


def test_a_ward_without_mapped_localities_just_shows_the_list(engine: Engine) -> None:
    chat = _located(engine, {"mapped": True, "ward": "W12", "ward_names": WARD})
    assert chat.keys == ["grievance.ask_locality"]


def test_back_from_the_description_asks_the_place_again(engine: Engine) -> None:
    chat = _located(engine, PLACED)
    chat.send("", payload="yes")
    chat.send("back")
    assert chat.keys == ["grievance.confirm_place"]
    chat.send("", payload="no")
    assert chat.keys == ["grievance.ask_locality"]


def test_back_from_the_list_on_sms_still_reaches_the_category(engine: Engine) -> None:
    """Steps that did not run (the location call on a channel without locations) are no
    barrier for "back"."""
    chat = Chat(engine, make_ctx()).to_locality()
    assert chat.keys == ["grievance.ask_locality"]
    chat.send("back")
    assert chat.keys == ["grievance.ask_category"]
