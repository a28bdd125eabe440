"""Long option lists come a page at a time, with a "more" option."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bots.engine import MORE, PAGE_SIZE
from tests.bots.support import MANY_LOCALITIES, Chat

FIRST, REST = MANY_LOCALITIES[:PAGE_SIZE], MANY_LOCALITIES[PAGE_SIZE:]


@pytest.fixture
def paged(make_chat: Callable[..., Chat]) -> Chat:
    """A citizen at the locality question of a city with more localities than fit a page."""
    return make_chat(localities=MANY_LOCALITIES).to_locality()


def test_first_page_offers_more(paged: Chat) -> None:
    assert paged.prompt.options == (*FIRST, MORE)


@pytest.mark.parametrize(("text", "payload"), [(str(PAGE_SIZE + 1), None), ("", MORE.id)])
def test_more_shows_the_next_page(paged: Chat, text: str, payload: str | None) -> None:
    paged.send(text, payload)
    assert paged.keys == ["grievance.ask_locality"]
    assert paged.prompt.options == REST
    assert paged.session.page == 1
    assert "locality" not in paged.session.slots


@pytest.mark.parametrize(("text", "payload", "picked"), [
    ("2", None, REST[1]),
    ("२", None, REST[1]),
    ("", REST[2].id, REST[2]),
    ("Sector 11", None, MANY_LOCALITIES[10]),
    ("Sector 2", None, MANY_LOCALITIES[1]),  # a name from the first page still counts
    ("", FIRST[0].id, FIRST[0]),  # and so does a button pressed on the first page
])
def test_picking_on_the_second_page(paged: Chat, text: str, payload: str | None,
                                    picked: object) -> None:
    paged.send(payload=MORE.id)
    paged.send(text, payload)
    assert paged.session.slots["locality"] == getattr(picked, "id", None)
    assert paged.keys == ["grievance.ask_description"]
    assert paged.session.page == 0


def test_a_name_on_a_later_page_is_found_from_the_first(paged: Chat) -> None:
    paged.send(str(REST[0].label.get("en")))
    assert paged.session.slots["locality"] == REST[0].id


def test_numbers_count_within_the_page_shown(paged: Chat) -> None:
    paged.send(payload=MORE.id)
    paged.send(str(len(REST) + 1))
    assert paged.keys == ["error.not_understood", "grievance.ask_locality"]
    assert paged.prompt.options == REST


def test_back_returns_to_the_previous_page(paged: Chat) -> None:
    paged.send(payload=MORE.id)
    paged.send("back")
    assert paged.prompt.options == (*FIRST, MORE)
    assert paged.session.page == 0
    paged.send("back")
    assert paged.keys == ["grievance.ask_category"]


def test_a_short_list_has_no_more_option(chat: Chat) -> None:
    chat.to_locality()
    assert MORE not in chat.prompt.options
    chat.send(payload=MORE.id)
    assert chat.keys == ["error.not_understood", "grievance.ask_locality"]


@pytest.mark.parametrize("size", [3, 5, 10])
def test_each_channel_pages_at_its_own_size(engine: object, size: int) -> None:
    """A channel with fewer buttons (or shorter SMS pages) gets smaller pages."""
    from dataclasses import replace

    from tests.bots.support import make_ctx

    ctx = replace(make_ctx(localities=MANY_LOCALITIES), page_size=size)
    chat = Chat(engine, ctx).to_locality()  # type: ignore[arg-type]
    shown = chat.prompt.options
    assert shown == (*MANY_LOCALITIES[:size], MORE)
    chat.send(str(size + 1))  # "more" is the last number on the page
    assert chat.prompt.options[:size] == MANY_LOCALITIES[size:2 * size]
