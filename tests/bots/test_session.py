"""Sessions: expiry, stale service results, stuck calls, and storage round trips."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from bots.actions import Call
from bots.events import UserInput
from bots.flows.grievance import FILE_GRIEVANCE
from bots.session import Session
from tests.bots.support import DESCRIPTION, MENU_IDS, Chat

FILED = {"id": "PB-2025-000042", "due": "2025-06-03T18:30:00+05:30"}


@pytest.mark.parametrize("text", ["2", "1", "Garbage near the temple", "yes", "कचरा"])
def test_an_expired_session_says_so_and_shows_the_menu(
        make_chat: Callable[..., Chat], text: str) -> None:
    chat = make_chat(resumed=True)
    chat.send(text)
    assert chat.keys == ["session.expired", "menu.prompt"]
    assert chat.option_ids == MENU_IDS
    assert chat.calls == []
    assert chat.session == Session(flow="menu")


def test_after_the_expiry_notice_the_menu_answers_normally(make_chat: Callable[..., Chat]) -> None:
    chat = make_chat(resumed=True)
    chat.send("2")
    chat.send("1")
    assert chat.keys == ["grievance.ask_category"]


def test_a_new_session_that_did_not_expire_answers_the_menu_directly(chat: Chat) -> None:
    chat.send("2")
    assert chat.actions == (Call("grievance.mine", {}),)


def test_keywords_win_over_the_expiry_notice(make_chat: Callable[..., Chat]) -> None:
    chat = make_chat(resumed=True)
    chat.send("help")
    assert chat.keys == ["help.text", "menu.prompt"]


@pytest.mark.parametrize("stored", [
    Session(flow="survey", step=2, slots={"q1": "a"}),
    Session(flow="grievance", step=99),
    Session(flow="menu", step=5),
])
def test_a_session_from_another_version_does_not_crash(
        make_chat: Callable[..., Chat], stored: Session) -> None:
    chat = make_chat(session=stored)
    chat.send("hello")
    assert chat.keys[-1] == "menu.prompt"
    assert chat.session.flow == "menu"
    chat.send("1")
    assert chat.keys == ["grievance.ask_category"]


def test_a_stale_result_for_a_flow_the_citizen_left_is_ignored(chat: Chat) -> None:
    chat.to_menu().send(payload="track")
    chat.send("menu")
    chat.send(payload="grievance")
    before = chat.session
    chat.result("grievance.mine", {"items": []})
    assert chat.actions == ()
    assert chat.session == before


def test_a_result_for_another_operation_is_ignored_and_the_wait_goes_on(chat: Chat) -> None:
    chat.to_confirm().send("yes")
    chat.result("grievance.mine", {"items": []})
    assert chat.actions == ()
    assert chat.session.waiting == "filed"
    chat.result("grievance.file", FILED)
    assert chat.keys == ["grievance.filed"]


def test_a_duplicate_result_is_ignored(chat: Chat) -> None:
    chat.to_confirm().send("yes")
    chat.result("grievance.file", FILED)
    chat.result("grievance.file", FILED)
    assert chat.actions == ()


def test_a_result_when_idle_is_ignored(chat: Chat) -> None:
    chat.result("grievance.status", {"id": "X"})
    assert chat.actions == ()
    assert chat.session == Session()


def test_input_while_a_call_never_answered_unsticks_without_calling_again(chat: Chat) -> None:
    chat.to_confirm().send("yes")
    chat.send("hello?")
    assert chat.keys == ["error.service", "menu.prompt"]
    assert chat.calls == []
    chat.result("grievance.file", FILED)  # the late answer changes nothing
    assert chat.actions == ()
    assert chat.session == Session(flow="menu")


@pytest.mark.parametrize("word", ["help", "back"])
def test_help_or_back_while_a_call_never_answered_go_to_the_menu(chat: Chat, word: str) -> None:
    chat.to_confirm().send("yes")
    chat.send(word)
    assert chat.keys[-1] == "menu.prompt"
    assert chat.calls == []


def test_session_round_trips_through_json(chat: Chat) -> None:
    chat.to_confirm()
    stored = json.loads(json.dumps(chat.session.to_dict()))
    assert Session.from_dict(stored) == chat.session


def test_a_restored_session_continues_the_conversation(chat: Chat) -> None:
    chat.to_track([{"id": "A-1", "status": "open", "category_names": {"en": "Garbage"}}])
    stored = json.loads(json.dumps(chat.session.to_dict()))
    expected = chat.engine.step(chat.session, UserInput("1"), chat.ctx)
    restored = chat.engine.step(Session.from_dict(stored), UserInput("1"), chat.ctx)
    assert restored == expected


def test_unknown_keys_from_older_versions_are_ignored() -> None:
    stored = {"flow": "grievance", "step": 1, "slots": {"category": "garbage"}, "retries": 1,
              "page": 0, "waiting": None, "version": 1, "lang": "en", "history": []}
    assert Session.from_dict(stored) == Session(flow="grievance", step=1,
                                                slots={"category": "garbage"}, retries=1)


def test_missing_keys_take_defaults() -> None:
    assert Session.from_dict({"flow": "menu"}) == Session(flow="menu")
    assert Session.from_dict({}) == Session()


def test_to_dict_is_plain_data(chat: Chat) -> None:
    chat.to_confirm()
    data = chat.session.to_dict()
    step = FILE_GRIEVANCE.index("confirm")
    assert data == {"flow": "grievance", "step": step, "retries": 0, "page": 0, "waiting": None,
                    "given": [], "changing": False, "back_to": None,
                    "slots": {"category": "garbage", "locality": "loc-ranjit",
                              "description": DESCRIPTION}}
    data["slots"]["category"] = "changed"
    assert chat.session.slots["category"] == "garbage"
