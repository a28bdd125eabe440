"""Choosing a language: asked on first contact, changeable from anywhere."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bots.actions import Reply, SetLanguage, SetOptOut
from bots.engine import Engine
from bots.prompts import AskKind
from tests.bots.support import MENU_IDS, Chat, make_ctx


@pytest.mark.parametrize("first", ["hello", "1", "2", "menu", "help", "", "हिन्दी"])
def test_first_contact_is_asked_for_a_language_whatever_it_says(newcomer: Chat, first: str) -> None:
    newcomer.send(first)
    assert newcomer.keys == ["language.prompt"]
    assert newcomer.option_ids == ("en", "hi")
    assert newcomer.prompt.ask is AskKind.CHOICE
    assert newcomer.side_effects == []
    assert newcomer.session.flow == "language"


@pytest.mark.parametrize(("text", "payload", "code"), [
    ("1", None, "en"),
    ("2", None, "hi"),
    ("२", None, "hi"),
    (" 2 ", None, "hi"),
    ("", "hi", "hi"),
    ("", "en", "en"),
    ("हिन्दी", None, "hi"),
    ("English", None, "en"),
    ("ENGLISH!", None, "en"),
])
def test_choosing_a_language_stores_it_and_shows_the_menu(
        newcomer: Chat, text: str, payload: str | None, code: str) -> None:
    newcomer.send("hi")
    actions = newcomer.send(text, payload)
    assert newcomer.side_effects == [SetLanguage(code)]
    assert isinstance(actions[-1], Reply)
    assert actions.index(SetLanguage(code)) < len(actions) - 1  # stored before the reply
    assert newcomer.keys == ["language.set", "menu.prompt"]
    assert newcomer.option_ids == MENU_IDS
    assert newcomer.session.flow == "menu"


def test_a_chosen_language_is_not_asked_again(newcomer: Chat) -> None:
    newcomer.send("hi")
    newcomer.send("2")
    newcomer.send("1")
    assert newcomer.keys == ["grievance.ask_category"]


@pytest.mark.parametrize("text", ["3", "0 1", "Klingon", "99"])
def test_an_unknown_language_is_asked_again(newcomer: Chat, text: str) -> None:
    newcomer.send("hi")
    newcomer.send(text)
    assert newcomer.keys == ["error.not_understood", "language.prompt"]
    assert newcomer.side_effects == []


def test_too_many_wrong_answers_ask_for_the_language_afresh_not_the_menu(newcomer: Chat) -> None:
    newcomer.send("hi")
    for _ in range(2):
        newcomer.send("9")
        assert newcomer.keys == ["error.not_understood", "language.prompt"]
    newcomer.send("9")
    assert newcomer.keys == ["error.too_many", "language.prompt"]
    assert newcomer.session.retries == 0
    newcomer.send("9")
    assert newcomer.keys == ["error.not_understood", "language.prompt"]


@pytest.mark.parametrize("word", ["menu", "0", "back", "start"])
def test_without_a_language_the_menu_leads_back_to_the_language_question(
        newcomer: Chat, word: str) -> None:
    newcomer.send("hi")
    newcomer.send(word)
    assert newcomer.keys[-1] == "language.prompt"
    assert newcomer.session.flow == "language"


def test_help_before_a_language_repeats_the_question(newcomer: Chat) -> None:
    newcomer.send("hi")
    newcomer.send("help")
    assert newcomer.keys == ["help.text", "language.prompt"]
    assert newcomer.option_ids == ("en", "hi")


def test_start_on_first_contact_opts_in_then_asks_the_language(newcomer: Chat) -> None:
    newcomer.send("START")
    assert newcomer.side_effects == [SetOptOut(False)]
    assert newcomer.keys == ["optout.started", "language.prompt"]


@pytest.mark.parametrize("word", ["language", "LANGUAGE", "lang", "bhasha", "भाषा"])
def test_language_keyword_changes_the_language_later(chat: Chat, word: str) -> None:
    chat.to_locality()
    chat.send(word)
    assert chat.keys == ["language.prompt"]
    chat.send("2")
    assert chat.side_effects == [SetLanguage("hi")]
    assert chat.keys == ["language.set", "menu.prompt"]


def test_language_from_the_menu(chat: Chat) -> None:
    chat.to_menu().send(payload="language")
    assert chat.keys == ["language.prompt"]
    assert chat.option_ids == ("en", "hi")


def test_the_greeting_is_said_in_every_language_of_the_state_the_default_first(
        engine: Engine) -> None:
    newcomer = Chat(engine, replace(make_ctx(None), default_language="hi"))
    newcomer.send("hello")
    (part,) = newcomer.prompt.parts
    assert part.key == "language.prompt"
    assert part.languages == ("hi", "en")
    assert newcomer.option_ids == ("en", "hi")  # the menu keeps the state's order
