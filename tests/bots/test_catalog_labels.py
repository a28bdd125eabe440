"""Typed catalog labels ("more", "yes", menu entries) and the catalogs the engine's ids need.

These tests read the gettext catalogs (i18n/locales); the rest of tests/bots does not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bots.actions import Reply
from bots.engine import MORE, PAGE_SIZE
from bots.prompts import Date, Localized, Msg, Param
from i18n import LANGUAGES, translate
from tests.bots.support import MANY_LOCALITIES, MENU_IDS, Chat

CODES = sorted(LANGUAGES)


@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize(("key", "flow"), [
    ("menu.file", "grievance"), ("menu.language", "language"), ("menu.help", "menu"),
])
def test_a_menu_entry_can_be_typed(make_chat: Callable[..., Chat], code: str, key: str,
                                   flow: str) -> None:
    chat = make_chat(code).to_menu()
    chat.send(translate(code, key))
    assert chat.session.flow == flow


@pytest.mark.parametrize("code", CODES)
def test_more_can_be_typed(make_chat: Callable[..., Chat], code: str) -> None:
    chat = make_chat(code, localities=MANY_LOCALITIES).to_locality()
    chat.send(translate(code, MORE.label.key).upper())
    assert chat.prompt.options == MANY_LOCALITIES[PAGE_SIZE:]


@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize(("key", "keys"), [
    ("common.yes", []), ("common.no", ["grievance.change_which"]),
])
def test_yes_and_no_labels_can_be_typed(make_chat: Callable[..., Chat], code: str, key: str,
                                        keys: list[str]) -> None:
    chat = make_chat(code).to_confirm()
    chat.send(translate(code, key))
    assert chat.keys == keys
    assert len(chat.calls) == (key == "common.yes")


@pytest.mark.parametrize("text", ["hello", "menu please", "5", "??", "water"])
def test_nonsense_at_the_menu_guides_back_to_it_without_counting(chat: Chat, text: str) -> None:
    chat.to_menu()
    for _ in range(5):
        chat.send(text)
        assert chat.keys == ["error.not_understood", "menu.prompt"]
        assert chat.option_ids == MENU_IDS
        assert chat.session.flow == "menu"


@pytest.mark.parametrize("text", ["maybe", "yes please", "later"])
def test_an_unclear_confirmation_is_asked_again(chat: Chat, text: str) -> None:
    chat.to_confirm().send(text)
    assert chat.keys == ["error.not_understood", "grievance.confirm"]
    assert chat.calls == []


def conversations(make_chat: Callable[..., Chat]) -> Iterator[Chat]:
    """Chats that between them reach every message the engine and flows can send."""
    new = make_chat(None)
    for text in ("hi", "help", "9", "2"):
        new.send(text)
        yield new
    chat = make_chat(localities=MANY_LOCALITIES)
    for step in (chat.to_confirm, lambda: chat.send("yes"),
                 lambda: chat.result("grievance.file", {"id": "A-1", "due": "2025-06-01"}),
                 lambda: chat.to_description().send("short"), chat.to_locality,
                 lambda: chat.send(payload=MORE.id), lambda: chat.to_confirm().send("no"),
                 chat.to_category, lambda: [chat.send("99") for _ in range(3)],
                 lambda: chat.send("stop"), lambda: chat.send("start"),
                 lambda: chat.to_menu().send(payload="help"),
                 lambda: chat.to_confirm().send("yes"), lambda: chat.send("hello?")):
        step()
        yield chat
    items = [{"id": "A-1", "status": status, "category_names": {"en": "Garbage"}}
             for status in ("open", "assigned", "in_progress", "resolved", "rejected",
                            "reopened")]
    track = make_chat()
    for step in (lambda: track.to_track(items), lambda: track.send("A-9"),
                 lambda: track.result("grievance.status", error="not_found"),
                 lambda: track.send("1"),
                 lambda: track.result("grievance.status", {
                     "id": "A-1", "status": "open", "category_names": {"en": "Garbage"},
                     "updated_at": "2025-05-01T10:00:00", "due": "2025-05-08T10:00:00",
                     "note": "On it"}),
                 lambda: track.to_track([])):
        step()
        yield track
    expired = make_chat(resumed=True)
    expired.send("1")
    yield expired


def messages(value: Param) -> Iterator[Msg]:
    """A message and those nested in its parameters."""
    if isinstance(value, Msg):
        yield value
        for param in value.params.values():
            yield from messages(param)


def rendered(value: Param, code: str) -> Any:
    """A parameter as the renderer would pass it to the catalog (dates left as text)."""
    if isinstance(value, Msg):
        return translate(code, value.key, {k: rendered(v, code) for k, v in value.params.items()})
    if isinstance(value, Localized):
        return value.get(code)
    return value.value.isoformat() if isinstance(value, Date) else value


def test_every_message_sent_exists_with_the_placeholders_given(
        make_chat: Callable[..., Chat]) -> None:
    seen: dict[str, Msg] = {}
    for chat in conversations(make_chat):
        for action in chat.actions:
            if isinstance(action, Reply):
                for part in (*action.prompt.parts, *(o.label for o in action.prompt.options)):
                    if isinstance(part, Msg):
                        seen.update((m.key, m) for m in messages(part))
    for code in CODES:
        for msg in seen.values():
            assert rendered(msg, code), (code, msg.key)
    assert {"error.too_many", "error.service", "notify.office_note",
            "status.reopened"} <= seen.keys()
