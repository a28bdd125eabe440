"""Global keywords work at every question; everything else is an answer, not a keyword."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from bots.actions import SetLanguage, SetOptOut
from bots.prompts import Brief
from bots.session import Session
from i18n import keyword
from tests.bots.support import MENU_IDS, Chat

ITEMS = [{"id": "PB-2025-000001", "status": "open", "category_names": {"en": "Garbage"}}]

# Each place a citizen can be asked something, and the question asked there.
PLACES: dict[str, tuple[Callable[[Chat], object], str]] = {
    "menu": (Chat.to_menu, "menu.prompt"),
    "language": (lambda c: c.to_menu().send(payload="language"), "language.prompt"),
    "category": (Chat.to_category, "grievance.ask_category"),
    "locality": (Chat.to_locality, "grievance.ask_locality"),
    "description": (Chat.to_description, "grievance.ask_description"),
    "confirm": (Chat.to_confirm, "grievance.confirm"),
    "track": (lambda c: c.to_track(ITEMS), "track.ask"),
    "track_id": (lambda c: c.to_track([]), "track.ask_id"),
}
places = pytest.mark.parametrize("place", list(PLACES))


def at(chat: Chat, place: str) -> Chat:
    """Bring the chat to a place and check the question asked there."""
    reach, question = PLACES[place]
    reach(chat)
    assert chat.keys[-1] == question
    return chat


@places
@pytest.mark.parametrize("word", ["menu", "MENU", " Menu ", "0", "०", "main menu", "मेनू", "home"])
def test_menu_keyword(chat: Chat, place: str, word: str) -> None:
    at(chat, place).send(word)
    assert chat.keys == ["menu.prompt"]
    assert chat.option_ids == MENU_IDS
    assert chat.session == Session(flow="menu")
    assert chat.side_effects == []


@places
@pytest.mark.parametrize("word", ["help", "HELP", "?", "madad", "मदद", "सहायता"])
def test_help_keyword_repeats_the_same_question(chat: Chat, place: str, word: str) -> None:
    at(chat, place)
    before_session, before_prompt = chat.session, chat.prompt
    chat.send(word)
    assert chat.keys[0] == "help.text"
    assert chat.prompt.parts[1:] == before_prompt.parts[-1:]
    assert chat.prompt.options == before_prompt.options
    assert chat.prompt.ask == before_prompt.ask
    assert chat.session == before_session


@places
@pytest.mark.parametrize("word", ["language", "भाषा"])
def test_language_keyword(chat: Chat, place: str, word: str) -> None:
    at(chat, place).send(word)
    assert chat.keys == ["language.prompt"]
    assert chat.session == Session(flow="language")


@places
@pytest.mark.parametrize("word", ["stop", "STOP", "unsubscribe", "बंद"])
def test_stop_keyword_opts_out(chat: Chat, place: str, word: str) -> None:
    at(chat, place).send(word)
    assert chat.actions[0] == SetOptOut(True)
    assert chat.keys == ["optout.stopped"]
    assert chat.session == Session()


@places
@pytest.mark.parametrize("word", ["start", "START", "unstop", "शुरू"])
def test_start_keyword_opts_in(chat: Chat, place: str, word: str) -> None:
    at(chat, place).send(word)
    assert chat.actions[0] == SetOptOut(False)
    assert chat.keys == ["optout.started", "menu.prompt"]


def test_stop_works_before_any_language_is_chosen(newcomer: Chat) -> None:
    newcomer.send("STOP")
    assert newcomer.side_effects == [SetOptOut(True)]
    assert newcomer.keys == ["optout.stopped"]


@pytest.mark.parametrize("word", ["stop", "menu", "help", "0"])
def test_a_pressed_option_is_never_a_keyword(chat: Chat, word: str) -> None:
    chat.to_category().send(word, payload="water")
    assert chat.session.slots["category"] == "water"
    assert chat.side_effects == []


# Text that mentions or resembles a keyword but is not one.
NOT_KEYWORDS = [
    "menu please", "show menu now", "helpful", "help me with garbage", "stopwatch",
    "stop the garbage truck", "starting", "start again please", "language barrier", "backyard",
    "go back home", "00", "0 0", "yes please", "no thanks", "मेनू दिखाओ", "मदद चाहिए",
    "menus", "helpdesk", "restart", "h e l p", "menu0", "?!?",
]


@pytest.mark.parametrize("text", NOT_KEYWORDS)
def test_not_keywords_are_not_recognised(text: str) -> None:
    assert keyword(text) is None


@pytest.mark.parametrize("text", NOT_KEYWORDS)
def test_not_keywords_are_taken_as_a_description(chat: Chat, text: str) -> None:
    chat.to_description().send(text)
    assert chat.side_effects == []
    assert chat.session.flow == "grievance"
    if len(text.strip()) >= 10:
        assert chat.session.slots["description"] == text.strip()
        assert chat.keys == ["grievance.confirm"]
    else:
        assert chat.keys == ["grievance.description_too_short", "grievance.ask_description"]


@pytest.mark.parametrize("text", NOT_KEYWORDS)
def test_not_keywords_are_wrong_answers_to_a_choice(chat: Chat, text: str) -> None:
    chat.to_locality().send(text)
    assert chat.side_effects == []
    assert chat.keys == ["error.not_understood", "grievance.ask_locality"]
    assert chat.session.flow == "grievance"


@pytest.mark.parametrize("text", ["yes", "no", "हाँ", "नहीं", "ok"])
def test_yes_and_no_mean_nothing_outside_a_confirmation(chat: Chat, text: str) -> None:
    chat.to_locality().send(text)
    assert chat.keys == ["error.not_understood", "grievance.ask_locality"]
    assert chat.calls == []


@pytest.mark.parametrize("word", ["back", "BACK", "peeche", "पीछे", "वापस"])
def test_back_goes_to_the_previous_question(chat: Chat, word: str) -> None:
    chat.to_confirm().send(word)
    assert chat.keys == ["grievance.ask_description"]
    chat.send(word)
    assert chat.keys == ["grievance.ask_locality"]
    chat.send(word)
    assert chat.keys == ["grievance.ask_category"]
    chat.send(word)
    assert chat.keys == ["menu.prompt"]
    chat.send(word)
    assert chat.keys == ["menu.prompt"]


def test_going_back_lets_the_citizen_change_an_answer(chat: Chat) -> None:
    chat.to_confirm().send("back")
    chat.send("back")
    assert chat.session.retries == 0
    chat.send("3")
    chat.send("Street light near the school is broken")
    assert chat.session.slots["locality"] == "loc-civil"
    assert chat.prompt.parts[0].params["description"] == Brief(
        "Street light near the school is broken")
    chat.send("yes")
    assert chat.calls[0].args["locality"] == "loc-civil"


def test_back_never_repeats_a_service_call(chat: Chat) -> None:
    chat.to_track(ITEMS).send("back")
    assert chat.calls == []
    assert chat.keys == ["menu.prompt"]


def test_back_from_the_language_question(chat: Chat) -> None:
    at(chat, "language").send("back")
    assert chat.keys == ["menu.prompt"]
    assert chat.side_effects == []


def test_a_keyword_is_recognised_in_the_citizens_script_whatever_their_language(
        chat: Chat) -> None:
    chat.ctx = replace(chat.ctx, language="en")
    chat.to_locality().send("मेनू")
    assert chat.keys == ["menu.prompt"]
    assert not any(isinstance(a, SetLanguage) for a in chat.actions)


def test_help_from_the_menu_ends_at_the_menu(chat: Chat) -> None:
    chat.to_menu().send(payload="help")
    assert chat.keys == ["help.text", "menu.prompt"]
    assert chat.option_ids == MENU_IDS
    assert chat.session == Session(flow="menu")
