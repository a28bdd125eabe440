"""A resolved grievance from "track": the citizen says "not fixed" and reopens it, or rates it
(1-5, a comment or skip); nothing is offered for one that is not resolved."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bots.actions import Call
from bots.engine import Engine
from bots.prompts import Msg
from tests.bots.support import Chat, make_ctx

ITEMS = [{"id": "PB-2025-000007", "status": "resolved",
          "category_names": {"en": "Garbage", "hi": "कचरा"}}]
RESOLVED = {"id": "PB-2025-000007", "status": "resolved",
            "category_names": {"en": "Garbage", "hi": "कचरा"},
            "updated_at": "2025-05-30T09:15:00+00:00", "due": "2025-06-04T18:30:00+00:00",
            "note": "", "note_name": "garbage_cleared", "public": False,
            "feedback": [{"id": "reopen"}, {"id": "rate"}, {"id": "done"}]}


def _at_feedback(chat: Chat, status: dict[str, object] | None = None) -> Chat:
    """Tracking the resolved grievance, its status shown with what may be done about it."""
    chat.to_track(ITEMS).send("1")
    chat.result("grievance.status", status or RESOLVED)
    return chat


@pytest.mark.parametrize("language", ["hi", "ta"])
def test_a_resolution_offers_reopen_rate_and_done(engine: Engine, language: str) -> None:
    chat = _at_feedback(Chat(engine, make_ctx(language)))
    assert chat.keys == ["track.status", "notify.standard_note", "track.feedback"]
    assert chat.prompt.parts[1].params["note"] == Msg("note.garbage_cleared")
    assert chat.option_ids == ("reopen", "rate", "done")


def test_not_fixed_reopens_in_the_citizens_words(chat_hi: Chat) -> None:
    _at_feedback(chat_hi).send("1")
    assert chat_hi.keys == ["reopen.ask_reason"]
    chat_hi.send("अब भी कचरा पड़ा है")
    assert chat_hi.calls == [Call("grievance.reopen", {"id": "PB-2025-000007",
                                                        "reason": "अब भी कचरा पड़ा है"})]
    chat_hi.result("grievance.reopen", {"id": "PB-2025-000007", "status": "reopened"})
    assert chat_hi.keys == ["reopen.done"]
    assert chat_hi.prompt.parts[0].params == {"id": "PB-2025-000007"}


def test_after_the_window_the_citizen_is_told(chat_hi: Chat) -> None:
    _at_feedback(chat_hi).send(payload="reopen")
    chat_hi.send("still not fixed")
    chat_hi.result("grievance.reopen", error="reopen_window_closed")
    assert chat_hi.keys[0] == "reopen.window_closed"
    assert chat_hi.session.flow == "menu"


def test_a_rating_on_sms_keeps_its_five_numbers_on_one_page(engine: Engine) -> None:
    """Four options a page on Exotel SMS, yet "5" is five stars, not "more"."""
    chat = _at_feedback(Chat(engine, replace(make_ctx("hi"), page_size=4)))
    chat.send("2")
    assert chat.keys == ["rate.ask"]
    assert chat.option_ids == ("1", "2", "3", "4", "5")
    chat.send("५")
    assert chat.keys == ["rate.ask_comment"]
    assert chat.option_ids == ("skip",)
    chat.send("1")
    assert chat.calls == [Call("grievance.rate", {"id": "PB-2025-000007", "stars": "5",
                                                   "comment": "skip"})]
    chat.result("grievance.rate", {"id": "PB-2025-000007", "stars": 5})
    assert chat.keys == ["rate.thanks"]


def test_a_comment_is_free_text(chat: Chat) -> None:
    _at_feedback(chat).send(payload="rate")
    chat.send("4")
    chat.send("Cleared, but late")
    assert chat.calls[0].args["comment"] == "Cleared, but late"
    chat.result("grievance.rate", error="already_rated")
    assert chat.keys[0] == "rate.already"


def test_done_goes_back_to_the_menu(chat: Chat) -> None:
    _at_feedback(chat).send(payload="done")
    assert chat.keys == ["menu.prompt"]


def test_nothing_is_offered_for_an_open_grievance(chat: Chat) -> None:
    _at_feedback(chat, {**RESOLVED, "status": "in_progress", "feedback": [],
                        "note": "Truck sent", "note_name": ""})
    assert chat.keys == ["track.status", "notify.office_note"]
    assert chat.session.flow == "menu"
