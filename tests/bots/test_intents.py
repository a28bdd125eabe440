"""Words citizens use for a menu option ("shikayat", "புகார்", "status") pick it at the menu."""

from __future__ import annotations

import pytest

from tests.bots.support import Chat


@pytest.mark.parametrize("typed", [
    "complaint", "shikayat", "शिकायत", "புகார்", "অভিযোগ", "شکایت", "ਸ਼ਿਕਾਇਤ", "Complaint!",
])
def test_complaint_words_start_filing(chat: Chat, typed: str) -> None:
    chat.to_menu()
    chat.send(typed)
    assert chat.keys[-1] == "grievance.ask_category"


@pytest.mark.parametrize("typed", ["status", "स्थिति", "நிலை", "sthiti"])
def test_status_words_start_tracking(chat: Chat, typed: str) -> None:
    chat.to_menu()
    chat.send(typed)
    assert [c.op for c in chat.calls] == ["grievance.mine"]


@pytest.mark.parametrize("typed", ["shikayat karni hai", "complaints", "stat"])
def test_other_text_at_the_menu_is_not_an_intent(chat: Chat, typed: str) -> None:
    chat.to_menu()
    chat.send(typed)
    assert "grievance.ask_category" not in chat.keys
    assert chat.calls == []
