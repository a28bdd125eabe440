"""A complaint typed at the main menu starts filing it; other unrecognised input is said to be
not understood, with the menu again."""

from __future__ import annotations

import pytest

from bots.prompts import Brief
from tests.bots.support import CATEGORIES, LOCALITIES, MENU_IDS, Chat

COMPLAINT = "मेरी गली में दो दिन से पानी नहीं आ रहा"


def test_a_complaint_typed_at_the_menu_becomes_the_description(chat_hi: Chat) -> None:
    chat_hi.to_menu().send(COMPLAINT)
    assert chat_hi.keys == ["grievance.ask_category"]
    chat_hi.send("3")
    chat_hi.send("1")
    # the description is not asked again: straight to the summary, with the typed text
    assert chat_hi.keys == ["grievance.confirm"]
    assert chat_hi.prompt.parts[0].params["description"] == Brief(COMPLAINT)
    chat_hi.send("हाँ")
    assert chat_hi.calls[0].args == {
        "category": CATEGORIES[2].id, "locality": LOCALITIES[0].id, "description": COMPLAINT,
        "location": None, "photo": None, "recording": None}


def test_back_from_the_category_skips_nothing_and_returns_to_the_menu(chat: Chat) -> None:
    chat.to_menu().send("The garbage has not been picked up for a week")
    chat.send("back")
    assert chat.keys == ["menu.prompt"]


def test_an_idle_citizen_at_the_menu_can_type_a_complaint(chat: Chat) -> None:
    chat.send("Street light outside number 12 is broken")  # no session yet
    assert chat.keys == ["grievance.ask_category"]
    assert chat.session.slots == {"description": "Street light outside number 12 is broken"}


@pytest.mark.parametrize("text", ["what is the status of my complaint",
                                  "meri shikayat ki sthiti kya hai"])
def test_a_long_text_naming_another_option_starts_that_option(chat: Chat, text: str) -> None:
    chat.to_menu().send(text)
    assert [c.op for c in chat.calls] == ["grievance.mine"]


@pytest.mark.parametrize("text", ["hello", "7", "no water", "पानी नहीं"])
def test_short_unrecognised_input_is_said_to_be_not_understood(chat: Chat, text: str) -> None:
    chat.to_menu().send(text)
    assert chat.keys == ["error.not_understood", "menu.prompt"]
    assert chat.option_ids == MENU_IDS
    assert chat.calls == []


def test_the_web_chat_opening_is_the_plain_menu(chat: Chat) -> None:
    chat.to_menu().send(payload="__open__")
    assert chat.keys == ["menu.prompt"]


def test_a_complaint_as_the_first_message_is_kept_through_the_language_question(
        newcomer: Chat) -> None:
    newcomer.send(COMPLAINT)
    assert newcomer.keys == ["language.prompt"]
    newcomer.send("2")
    assert newcomer.keys == ["language.set", "grievance.ask_category"]
    assert newcomer.session.slots == {"description": COMPLAINT}
    newcomer.send("1")
    newcomer.send("1")
    assert newcomer.keys == ["grievance.confirm"]


def test_a_greeting_as_the_first_message_leads_to_the_menu(newcomer: Chat) -> None:
    newcomer.send("namaste ji")
    newcomer.send("2")
    assert newcomer.keys == ["language.set", "menu.prompt"]
