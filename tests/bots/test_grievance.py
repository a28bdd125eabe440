"""Filing a grievance: category → locality → description → confirm → service call → receipt."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from bots.actions import Call
from bots.engine import MAX_RETRIES
from bots.prompts import AskKind, Brief, Date, Localized
from bots.session import Session
from tests.bots.support import CATEGORIES, DESCRIPTION, LOCALITIES, MENU_IDS, Chat

FILED = {"id": "PB-2025-000042", "due": "2025-06-03T18:30:00+05:30"}


def test_the_menu_starts_the_grievance_flow_with_the_categories(chat: Chat) -> None:
    chat.to_menu()
    assert chat.keys == ["menu.prompt"]
    assert chat.option_ids == MENU_IDS
    chat.send(payload="grievance")
    assert chat.keys == ["grievance.ask_category"]
    assert chat.prompt.options == CATEGORIES
    assert chat.prompt.ask is AskKind.CHOICE


@pytest.mark.parametrize(("language", "text", "payload"), [
    ("en", "1", None),
    ("en", "१", None),
    ("hi", "१", None),
    ("en", " 1 ", None),
    ("en", "", "garbage"),
    ("en", "ignored", "garbage"),
    ("en", "Garbage", None),
    ("en", "  GARBAGE. ", None),
    ("hi", "कचरा", None),
    ("hi", "कचरा।", None),
    ("en", "कचरा", None),  # master data names match in any language
    ("hi", "garbage", None),
    ("en", "Garbge", None),  # near-miss spellings, fuzzily
    ("en", "garbag", None),
    ("en", "gaarbage", None),
    ("hi", "कचर", None),
])
def test_category_answers(make_chat: Callable[..., Chat], language: str, text: str,
                          payload: str | None) -> None:
    chat = make_chat(language).to_category()
    chat.send(text, payload)
    assert chat.session.slots["category"] == "garbage"
    assert chat.keys == ["grievance.ask_locality"]
    assert chat.prompt.options == LOCALITIES


@pytest.mark.parametrize(("text", "picked"), [
    ("Water suply", "water"),
    ("streetlite", "streetlight"),
    ("blocked drains", "drain"),
    ("नाली जाम", "drain"),
    ("4", "drain"),
])
def test_category_by_other_names(chat: Chat, text: str, picked: str) -> None:
    chat.to_category().send(text)
    assert chat.session.slots["category"] == picked


@pytest.mark.parametrize(("text", "payload"), [
    ("5", None), ("0 1", None), ("potholes", None), ("xyz", None), ("-1", None),
    ("", "pothole"), ("", None), ("2.5", None),
])
def test_unknown_category_is_asked_again(chat: Chat, text: str, payload: str | None) -> None:
    chat.to_category().send(text, payload)
    assert chat.keys == ["error.not_understood", "grievance.ask_category"]
    assert chat.prompt.options == CATEGORIES
    assert "category" not in chat.session.slots
    assert chat.session.retries == 1


def test_locality_then_description(chat: Chat) -> None:
    chat.to_locality().send("2")
    assert chat.session.slots["locality"] == "loc-model"
    assert chat.keys == ["grievance.ask_description"]
    assert chat.prompt.ask is AskKind.TEXT
    assert chat.prompt.options == ()


def test_locality_by_hindi_name_with_a_typo(chat_hi: Chat) -> None:
    chat_hi.to_locality().send("मॉडल टाउन")
    assert chat_hi.session.slots["locality"] == "loc-model"
    chat_hi.to_locality().send("सिविल लाइन")
    assert chat_hi.session.slots["locality"] == "loc-civil"


@pytest.mark.parametrize("short", ["dirty", "  bad  ", "", "123456789"])
def test_too_short_description_is_asked_again(chat: Chat, short: str) -> None:
    chat.to_description().send(short)
    assert chat.keys == ["grievance.description_too_short", "grievance.ask_description"]
    assert "description" not in chat.session.slots
    assert chat.session.retries == 1


def test_description_is_trimmed_and_capped(chat: Chat) -> None:
    chat.to_description().send("  " + "x" * 5000 + "  ")
    assert chat.session.slots["description"] == "x" * 2000


def test_confirm_summarises_the_answers(chat: Chat) -> None:
    chat.to_confirm()
    (part,) = chat.prompt.parts
    assert part.key == "grievance.confirm"
    assert part.params == {"category": CATEGORIES[0].label, "locality": LOCALITIES[0].label,
                           "description": Brief(DESCRIPTION)}
    assert isinstance(part.params["category"], Localized)
    assert chat.option_ids == ("yes", "no")
    assert chat.prompt.ask is AskKind.CHOICE


@pytest.mark.parametrize(("text", "payload"), [
    ("yes", None), ("YES", None), ("y", None), ("ok", None), ("haan", None), ("हाँ", None),
    ("हां", None), ("1", None), ("१", None), ("", "yes"),
])
def test_confirm_yes_files_the_grievance(chat: Chat, text: str, payload: str | None) -> None:
    chat.to_confirm().send(text, payload)
    assert chat.actions == (Call("grievance.file", {
        "category": "garbage", "locality": "loc-ranjit", "description": DESCRIPTION,
        "location": None, "photo": None, "recording": None}),)  # a text channel asks for neither
    assert chat.session.waiting == "filed"


def test_filed_grievance_is_acknowledged_and_the_citizen_is_idle_at_the_menu(chat: Chat) -> None:
    chat.to_confirm().send("yes")
    chat.result("grievance.file", FILED)
    (part,) = chat.prompt.parts
    assert part.key == "grievance.filed"
    assert part.params["id"] == "PB-2025-000042"
    assert part.params["due"] == Date(datetime.fromisoformat(FILED["due"]))
    assert chat.calls == []
    assert chat.session == Session(flow="menu")
    chat.send("1")  # a menu answer, straight away
    assert chat.keys == ["grievance.ask_category"]


def test_a_failed_filing_says_so_and_shows_the_menu(chat: Chat) -> None:
    chat.to_confirm().send("yes")
    chat.result("grievance.file", error="invalid_reference")
    assert chat.keys == ["error.service", "menu.prompt"]
    assert chat.session.flow == "menu"


@pytest.mark.parametrize(("text", "payload"), [
    ("no", None), ("NO", None), ("n", None), ("nahi", None), ("नहीं", None), ("2", None),
    ("", "no"),
])
def test_confirm_no_asks_what_to_change_and_cancel_drops_the_draft(
        chat: Chat, text: str, payload: str | None) -> None:
    chat.to_confirm().send(text, payload)
    assert chat.calls == []
    assert chat.keys == ["grievance.change_which"]
    assert chat.option_ids == ("category", "locality", "description", "cancel")
    chat.send("4")
    assert chat.keys == ["common.cancelled", "menu.prompt"]
    assert chat.option_ids == MENU_IDS
    assert chat.session.slots == {}


@pytest.mark.parametrize(("reach", "wrong", "question"), [
    ("to_category", "9", "grievance.ask_category"),
    ("to_locality", "potato", "grievance.ask_locality"),
    ("to_description", "short", "grievance.description_too_short"),
    ("to_confirm", "3", "grievance.confirm"),
])
def test_too_many_invalid_answers_go_back_to_the_menu(
        chat: Chat, reach: str, wrong: str, question: str) -> None:
    getattr(chat, reach)()
    for attempt in range(1, MAX_RETRIES):
        chat.send(wrong)
        assert question in chat.keys
        assert chat.session.retries == attempt
    chat.send(wrong)
    assert chat.keys == ["error.too_many", "menu.prompt"]
    assert chat.session.flow == "menu"
    assert chat.calls == []


def test_a_good_answer_resets_the_count_of_wrong_ones(chat: Chat) -> None:
    chat.to_category()
    chat.send("9")
    chat.send("9")
    chat.send("1")
    assert chat.session.retries == 0
    chat.send("9")
    chat.send("9")
    assert chat.keys == ["error.not_understood", "grievance.ask_locality"]


def test_a_whole_grievance_in_hindi(chat_hi: Chat) -> None:
    chat_hi.to_menu().send("1")
    chat_hi.send("कचरा")
    chat_hi.send("रणजीत एवेन्यू")
    chat_hi.send("एक हफ्ते से कचरा नहीं उठाया गया है")
    chat_hi.send("हाँ")
    assert chat_hi.calls == [Call("grievance.file", {
        "category": "garbage", "locality": "loc-ranjit",
        "description": "एक हफ्ते से कचरा नहीं उठाया गया है", "location": None, "photo": None,
        "recording": None})]
