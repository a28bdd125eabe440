"""Tracking a grievance: pick one of your own, or type an id; the status comes back."""

from __future__ import annotations

from datetime import datetime

import pytest

from bots.actions import Call
from bots.prompts import AskKind, Date, Localized, Msg
from bots.session import Session
from tests.bots.support import MENU_IDS, Chat

ITEMS = [
    {"id": "PB-2025-000002", "status": "in_progress",
     "category_names": {"en": "Streetlight", "hi": "स्ट्रीट लाइट"}},
    {"id": "PB-2025-000001", "status": "open", "category_names": {"en": "Garbage", "hi": "कचरा"}},
]
STATUS = {"id": "PB-2025-000002", "status": "in_progress",
          "category_names": {"en": "Streetlight", "hi": "स्ट्रीट लाइट"},
          "updated_at": "2025-05-30T09:15:00+00:00", "due": "2025-06-04T18:30:00+00:00",
          "note": ""}


def test_track_first_lists_the_citizens_grievances(chat: Chat) -> None:
    chat.to_menu().send(payload="track")
    assert chat.actions == (Call("grievance.mine", {}),)
    assert chat.session.waiting == "mine"


def test_own_grievances_become_options(chat: Chat) -> None:
    chat.to_track(ITEMS)
    assert chat.keys == ["track.ask"]
    assert chat.option_ids == ("PB-2025-000002", "PB-2025-000001")
    assert chat.prompt.options[1].label == Msg("track.item", {
        "id": "PB-2025-000001", "category": Localized({"en": "Garbage", "hi": "कचरा"}),
        "status": Msg("status.open")})
    assert chat.prompt.ask is AskKind.CHOICE


def test_without_grievances_the_id_is_asked_for(chat: Chat) -> None:
    chat.to_track([])
    assert chat.keys == ["track.ask_id"]
    assert chat.prompt.options == ()
    assert chat.prompt.ask is AskKind.TEXT


@pytest.mark.parametrize(("text", "payload", "asked"), [
    ("1", None, "PB-2025-000002"),
    ("२", None, "PB-2025-000001"),
    ("", "PB-2025-000001", "PB-2025-000001"),
    ("pb-2025-000001", None, "PB-2025-000001"),  # a listed id, typed
    ("PB-2025-000777", None, "PB-2025-000777"),  # any other id goes to the service as typed
    (" 42 ", None, "42"),  # a number beyond the list is a grievance number
])
def test_asking_for_a_status(chat: Chat, text: str, payload: str | None, asked: str) -> None:
    chat.to_track(ITEMS).send(text, payload)
    assert chat.actions == (Call("grievance.status", {"id": asked}),)
    assert chat.session.waiting == "status"


def test_free_text_id_without_a_list(chat: Chat) -> None:
    chat.to_track([]).send("PB-2025-000009")
    assert chat.calls == [Call("grievance.status", {"id": "PB-2025-000009"})]


def test_status_without_a_note(chat: Chat) -> None:
    chat.to_track(ITEMS).send("1")
    chat.result("grievance.status", STATUS)
    (part,) = chat.prompt.parts
    assert part == Msg("track.status", {
        "id": "PB-2025-000002",
        "category": Localized(STATUS["category_names"]),
        "status": Msg("status.in_progress"),
        "updated": Date(datetime.fromisoformat("2025-05-30T09:15:00+00:00")),
        "due": Date(datetime.fromisoformat("2025-06-04T18:30:00+00:00")),
    })
    assert chat.session == Session(flow="menu")


def test_status_with_a_note_shows_it_in_the_same_message(chat: Chat) -> None:
    chat.to_track(ITEMS).send("1")
    chat.result("grievance.status", {**STATUS, "note": "Crew sent on Monday"})
    assert chat.keys == ["track.status", "notify.office_note"]
    assert chat.prompt.parts[1].params == {"note": "Crew sent on Monday"}


def test_public_view_of_someone_elses_grievance_shows_category_and_status_only(
        chat: Chat) -> None:
    chat.to_track(ITEMS).send("PB-2025-000777")
    chat.result("grievance.status", {"id": "PB-2025-000777", "status": "open", "public": True,
                                     "category_names": {"en": "Garbage"}})
    (part,) = chat.prompt.parts
    assert part == Msg("track.public", {"id": "PB-2025-000777",
                                        "category": Localized({"en": "Garbage"}),
                                        "status": Msg("status.open")})
    assert chat.session == Session(flow="menu")


def test_not_found_asks_again(chat: Chat) -> None:
    chat.to_track(ITEMS).send("PB-2025-000999")
    chat.result("grievance.status", error="not_found")
    assert chat.keys == ["track.not_found", "track.ask"]
    assert chat.option_ids == ("PB-2025-000002", "PB-2025-000001")
    assert chat.session.flow == "track"
    assert chat.session.waiting is None
    chat.send("1")
    assert chat.calls == [Call("grievance.status", {"id": "PB-2025-000002"})]


def test_not_found_without_a_list_asks_for_the_id_again(chat: Chat) -> None:
    chat.to_track([]).send("PB-2025-000999")
    chat.result("grievance.status", error="not_found")
    assert chat.keys == ["track.not_found", "track.ask_id"]


@pytest.mark.parametrize(("op", "error"), [
    ("grievance.status", "unavailable"), ("grievance.status", "grievance_error"),
])
def test_other_errors_go_to_the_menu(chat: Chat, op: str, error: str) -> None:
    chat.to_track(ITEMS).send("1")
    chat.result(op, error=error)
    assert chat.keys == ["error.service", "menu.prompt"]
    assert chat.option_ids == MENU_IDS


def test_listing_failure_goes_to_the_menu(chat: Chat) -> None:
    chat.to_menu().send(payload="track")
    chat.result("grievance.mine", error="unavailable")
    assert chat.keys == ["error.service", "menu.prompt"]


def test_a_platform_without_due_dates_still_answers(chat: Chat) -> None:
    chat.to_track(ITEMS).send("1")
    chat.result("grievance.status", {**STATUS, "due": None})
    assert chat.prompt.parts[0].params["due"] == ""
    assert chat.prompt.parts[0].params["updated"] == Date(
        datetime.fromisoformat(STATUS["updated_at"]))
