"""Workflow: allowed transitions, the history they write, and the ones refused."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise

import pytest
from sqlalchemy.orm import Session

from services.grievances.builtin import BuiltinRegistry
from services.grievances.registry import (
    WORKFLOW,
    InvalidTransition,
    NoteRequired,
    NotFound,
)
from services.security.crypto import Crypto
from tests.services.grievances.helpers import AMRITSAR, LUDHIANA, Clock, file, member

# (action, note, assignee) in a life that visits every status
LIFE = [
    ("assign", "Sanitation team B", "inspector.kaur"),
    ("start", None, None),
    ("resolve", "Garbage lifted at 10:40", None),
    ("reopen", "Citizen reports it is back", None),
    ("assign", None, "inspector.singh"),
    ("reject", "Private property, not municipal", None),
]


def _walk(registry: BuiltinRegistry, public_id: str, steps: list[tuple[str, str | None,
          str | None]], actor: str = "staff:k1:Officer") -> None:
    """Apply actions in order (an assignee is a staff member's name, made on first use)."""
    for action, note, assignee in steps:
        staff_id = member(registry.db, assignee) if assignee else None
        registry.transition(scope=AMRITSAR, public_id=public_id, action=action, actor=actor,
                            note=note, assignee=staff_id)


def test_every_transition_writes_history(registry: BuiltinRegistry, db: Session,
                                         crypto: Crypto) -> None:
    """Each action adds one entry: who, when, note, from → to; statuses chain up."""
    gid = file(db, crypto).id
    _walk(registry, gid, LIFE)
    view = registry.get(scope=AMRITSAR, public_id=gid)
    history = view.history
    assert [h.action for h in history] == ["file"] + [a for a, _, _ in LIFE]
    assert [h.note for h in history[1:]] == [n for _, n, _ in LIFE]
    assert all(h.actor == "staff:k1:Officer" for h in history[1:])
    for before, after in pairwise(history):
        assert after.from_status == before.to_status
        assert after.at > before.at
        assert after.to_status == WORKFLOW[after.action][1]
    assert view.status == "rejected" and view.assignee == "inspector.singh"
    assert view.updated_at == history[-1].at
    assert view.last_note == "Private property, not municipal"


def test_history_stays_ordered_when_the_clock_does_not_move(
        registry: BuiltinRegistry, db: Session, crypto: Crypto,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Entries recorded in the same instant (coarse clocks) still come back in order."""
    monkeypatch.setattr("services.grievances.builtin.utcnow",
                        Clock(datetime(2026, 5, 1, 9, 0, tzinfo=UTC)))
    gid = file(db, crypto).id
    _walk(registry, gid, LIFE)
    db.commit()
    db.expire_all()
    history = registry.get(scope=AMRITSAR, public_id=gid).history
    assert [h.action for h in history] == ["file"] + [a for a, _, _ in LIFE]
    assert [h.at for h in history] == sorted({h.at for h in history})


def test_history_stays_ordered_when_the_clock_steps_back(
        registry: BuiltinRegistry, db: Session, crypto: Crypto,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A clock adjusted backwards between two actions does not reorder the history."""
    clock = Clock(datetime(2026, 5, 1, 9, 0, tzinfo=UTC))
    monkeypatch.setattr("services.grievances.builtin.utcnow", clock)
    gid = file(db, crypto).id
    _walk(registry, gid, LIFE[:2])
    clock.advance(minutes=-5)
    _walk(registry, gid, LIFE[2:])
    history = registry.get(scope=AMRITSAR, public_id=gid).history
    assert [h.action for h in history] == ["file"] + [a for a, _, _ in LIFE]


@pytest.mark.parametrize(("setup", "action"), [
    ([], "reopen"),                                                   # reopen an open one
    ([], "start"),                                                    # start before assigning
    ([("resolve", "done", None)], "resolve"),                         # resolve a resolved one
    ([("resolve", "done", None)], "reject"),
    ([("resolve", "done", None)], "assign"),
    ([("reject", "no", None)], "start"),
    ([("assign", None, "a"), ("start", None, None)], "start"),
    ([("assign", None, "a"), ("start", None, None)], "reopen"),
    ([], "delete"),                                                   # not an action at all
])
def test_invalid_transitions_are_refused(registry: BuiltinRegistry, db: Session, crypto: Crypto,
                                         setup: list[tuple[str, str | None, str | None]],
                                         action: str) -> None:
    """A refused action raises InvalidTransition and changes nothing."""
    gid = file(db, crypto).id
    _walk(registry, gid, setup)
    before = registry.get(scope=AMRITSAR, public_id=gid)
    with pytest.raises(InvalidTransition) as err:
        registry.transition(scope=AMRITSAR, public_id=gid, action=action, actor="x",
                            note="a note", assignee="b")
    assert err.value.code == "invalid_transition"
    after = registry.get(scope=AMRITSAR, public_id=gid)
    assert (after.status, after.history) == (before.status, before.history)


@pytest.mark.parametrize("action", ["resolve", "reject"])
@pytest.mark.parametrize("note", [None, "", "   "])
def test_closing_needs_a_note(registry: BuiltinRegistry, db: Session, crypto: Crypto,
                              action: str, note: str | None) -> None:
    """Resolving or rejecting without a note for the citizen is refused."""
    gid = file(db, crypto).id
    with pytest.raises(NoteRequired) as err:
        registry.transition(scope=AMRITSAR, public_id=gid, action=action, actor="x", note=note)
    assert err.value.code == "note_required"
    assert registry.get(scope=AMRITSAR, public_id=gid).status == "open"


def test_transition_outside_scope_is_not_found(registry: BuiltinRegistry, db: Session,
                                               crypto: Crypto) -> None:
    """Another city's officer cannot even see the grievance to act on it."""
    gid = file(db, crypto).id
    with pytest.raises(NotFound):
        registry.transition(scope=LUDHIANA, public_id=gid, action="resolve", actor="x",
                            note="done")
    with pytest.raises(NotFound):
        registry.get(scope=LUDHIANA, public_id=gid)
    assert registry.get(scope="pb", public_id=gid).status == "open"


def test_ids_are_found_case_insensitively(registry: BuiltinRegistry, db: Session,
                                          crypto: Crypto) -> None:
    """Staff and citizens may type ids in lower case or with stray spaces."""
    gid = file(db, crypto).id
    assert registry.get(scope=AMRITSAR, public_id=f" {gid.lower()} ").id == gid
