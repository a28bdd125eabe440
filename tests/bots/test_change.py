""""No" at the confirmation lets the citizen change one answer: only that question is asked
again, then the summary with the new answer; cancelling drops the draft."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bots.engine import Engine
from bots.events import UserInput
from bots.prompts import AskKind, Brief
from tests.bots.support import CATEGORIES, DESCRIPTION, LOCALITIES, MENU_IDS, Chat, make_ctx

CHANGEABLE = ("category", "locality", "description", "cancel")


def _summary(chat: Chat) -> dict[str, object]:
    """The parameters of the confirmation just shown."""
    assert chat.keys == ["grievance.confirm"], chat.keys
    return dict(chat.prompt.parts[0].params)


def test_no_asks_which_answer_to_change_as_a_numbered_choice(chat: Chat) -> None:
    chat.to_confirm().send("no")
    assert chat.keys == ["grievance.change_which"]
    assert chat.option_ids == CHANGEABLE
    assert chat.prompt.ask is AskKind.CHOICE
    assert chat.calls == []


@pytest.mark.parametrize("how", [("3", None), ("", "description"), ("Details", None)])
def test_changing_the_description_asks_only_it_then_the_summary(
        chat: Chat, how: tuple[str, str | None]) -> None:
    chat.to_confirm().send("no")
    chat.send(*how)
    assert chat.keys == ["grievance.ask_description"]
    chat.send("Garbage is piling up next to the school gate")
    summary = _summary(chat)
    assert summary["description"] == Brief("Garbage is piling up next to the school gate")
    assert summary["locality"] == LOCALITIES[0].label  # the other answers are kept
    chat.send("yes")
    assert chat.calls[0].args["description"] == "Garbage is piling up next to the school gate"
    assert chat.calls[0].args["category"] == CATEGORIES[0].id


def test_changing_the_locality_and_then_confirming(chat: Chat) -> None:
    chat.to_confirm().send("2")  # "no" by its number
    chat.send("2")  # locality
    assert chat.keys == ["grievance.ask_locality"]
    chat.send("Model Town")
    assert _summary(chat)["locality"] == LOCALITIES[1].label
    assert _summary(chat)["description"] == Brief(DESCRIPTION)
    chat.send("yes")
    assert chat.calls[0].args["locality"] == LOCALITIES[1].id


def test_one_change_after_another(chat: Chat) -> None:
    chat.to_confirm().send("no")
    chat.send("1")
    chat.send("Streetlight")
    chat.send("no")
    chat.send("2")
    chat.send("3")
    summary = _summary(chat)
    assert summary["category"] == CATEGORIES[1].label
    assert summary["locality"] == LOCALITIES[2].label


def test_a_category_that_now_requires_a_photo_asks_for_it(engine: Engine) -> None:
    ctx = replace(make_ctx(), can_photo=True, required={"water": frozenset({"photo"})})
    chat = Chat(engine, ctx).to_description()
    chat.send(DESCRIPTION)
    chat.send("skip")  # garbage: a photo is optional
    chat.send("no")
    chat.send("1")
    chat.send("Water supply")
    assert chat.keys == ["grievance.ask_photo_required"]
    chat.feed(UserInput(media=("https://media.example/1.jpg",)))
    assert _summary(chat)["category"] == CATEGORIES[2].label
    chat.send("yes")
    assert chat.calls[0].args["photo"] == {"media": ["https://media.example/1.jpg"]}


@pytest.mark.parametrize("how", [("4", None), ("", "cancel"), ("no", None)])
def test_cancel_drops_the_draft(chat: Chat, how: tuple[str, str | None]) -> None:
    chat.to_confirm().send("no")
    chat.send(*how)
    assert chat.keys == ["common.cancelled", "menu.prompt"]
    assert chat.option_ids == MENU_IDS
    assert chat.session.slots == {}


def test_yes_at_the_change_question_shows_the_summary_again(chat: Chat) -> None:
    chat.to_confirm().send("no")
    chat.send("yes")
    assert _summary(chat)["description"] == Brief(DESCRIPTION)


def test_an_unclear_answer_asks_which_again(chat: Chat) -> None:
    chat.to_confirm().send("no")
    chat.send("9")
    assert chat.keys == ["error.not_understood", "grievance.change_which"]
    chat.send("help")
    assert chat.keys == ["help.text", "grievance.change_which"]


def test_a_complaint_typed_at_the_menu_can_have_its_description_changed(chat: Chat) -> None:
    chat.to_menu().send("Garbage has been lying in our lane for days")
    chat.send("1")
    chat.send("1")
    chat.send("no")
    assert chat.option_ids == CHANGEABLE
    chat.send("3")
    assert chat.keys == ["grievance.ask_description"]
    chat.send("Garbage lies near the Ranjit Avenue park gate")
    assert _summary(chat)["description"] == Brief("Garbage lies near the Ranjit Avenue park gate")
