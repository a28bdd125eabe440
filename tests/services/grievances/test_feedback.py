"""The citizen's reopen and rating in the registry: only the contact who filed it, only within
the window after the resolution, a rating once per resolution; standard notes are checked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from services.contacts.service import get_or_create
from services.grievances.builtin import BuiltinRegistry
from services.grievances.registry import (
    AlreadyRated,
    InvalidNoteKey,
    InvalidTransition,
    NotFound,
    ReopenClosed,
)
from services.security.crypto import Crypto
from services.tenancy.models import Tenant
from services.tenancy.service import REOPEN_DAYS, reopen_days
from tests.services.grievances.helpers import AMRITSAR, Clock, file

WEEK = timedelta(days=7)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The registry's clock, settable."""
    found = Clock(datetime(2026, 5, 1, 9, 0, tzinfo=UTC))
    monkeypatch.setattr("services.grievances.builtin.utcnow", found)
    return found


def _resolved(db: Session, crypto: Crypto, registry: BuiltinRegistry) -> tuple[str, str]:
    """A grievance filed by a contact and resolved; (public id, contact id)."""
    contact = get_or_create(db, crypto, AMRITSAR, "tel:+919812345678")
    gid = file(db, crypto, contact_id=contact.id).id
    registry.transition(scope=AMRITSAR, public_id=gid, action="resolve", actor="staff:1",
                        note_key="note.garbage_cleared")
    return gid, contact.id


def test_reopened_by_its_citizen_within_the_window(db: Session, crypto: Crypto,
                                                   registry: BuiltinRegistry,
                                                   clock: Clock) -> None:
    gid, contact = _resolved(db, crypto, registry)
    clock.advance(days=6)
    view = registry.reopen_by_citizen(scope=AMRITSAR, public_id=gid, contact_id=contact,
                                      reason="Still there", window=WEEK)
    assert view.status == "reopened"
    last = view.history[-1]
    assert (last.actor, last.action, last.note) == (f"citizen:{contact}", "reopen",
                                                    "Still there")
    assert view.office_note is not None and view.office_note.note_key == "note.garbage_cleared"


def test_not_after_the_window_nor_by_someone_else(db: Session, crypto: Crypto,
                                                  registry: BuiltinRegistry,
                                                  clock: Clock) -> None:
    gid, contact = _resolved(db, crypto, registry)
    other = get_or_create(db, crypto, AMRITSAR, "tel:+919800000001").id
    with pytest.raises(NotFound):
        registry.reopen_by_citizen(scope=AMRITSAR, public_id=gid, contact_id=other,
                                   reason="x", window=WEEK)
    with pytest.raises(NotFound):
        registry.rate(scope=AMRITSAR, public_id=gid, contact_id=other, stars=1, comment=None)
    clock.advance(days=8)
    with pytest.raises(ReopenClosed):
        registry.reopen_by_citizen(scope=AMRITSAR, public_id=gid, contact_id=contact,
                                   reason="x", window=WEEK)
    assert registry.get(scope=AMRITSAR, public_id=gid).status == "resolved"


def test_rated_once_per_resolution(db: Session, crypto: Crypto, registry: BuiltinRegistry,
                                   clock: Clock) -> None:
    gid, contact = _resolved(db, crypto, registry)
    rated = registry.rate(scope=AMRITSAR, public_id=gid, contact_id=contact, stars=2,
                          comment="  Late  ")
    assert rated.rating is not None and (rated.rating.stars, rated.rating.comment) == (2, "Late")
    with pytest.raises(AlreadyRated):
        registry.rate(scope=AMRITSAR, public_id=gid, contact_id=contact, stars=5, comment=None)
    clock.advance(hours=1)
    registry.reopen_by_citizen(scope=AMRITSAR, public_id=gid, contact_id=contact,
                               reason="Back again", window=WEEK)
    with pytest.raises(InvalidTransition):  # not resolved now
        registry.rate(scope=AMRITSAR, public_id=gid, contact_id=contact, stars=5, comment=None)
    clock.advance(hours=1)
    registry.transition(scope=AMRITSAR, public_id=gid, action="resolve", actor="staff:1",
                        note="Cleared again")
    again = registry.rate(scope=AMRITSAR, public_id=gid, contact_id=contact, stars=5,
                          comment=None)
    assert again.rating is not None and (again.rating.stars, again.rating.comment) == (5, None)


def test_standard_notes_suit_the_category(db: Session, crypto: Crypto,
                                          registry: BuiltinRegistry) -> None:
    gid = file(db, crypto).id  # garbage
    with pytest.raises(InvalidNoteKey):
        registry.transition(scope=AMRITSAR, public_id=gid, action="resolve", actor="s",
                            note_key="note.light_repaired")
    with pytest.raises(InvalidNoteKey):
        registry.transition(scope=AMRITSAR, public_id=gid, action="resolve", actor="s",
                            note_key="note.nonsense")
    view = registry.transition(scope=AMRITSAR, public_id=gid, action="resolve", actor="s",
                               note_key="note.work_scheduled")
    assert view.history[-1].note_key == "note.work_scheduled"


def test_the_window_is_inherited_from_the_state(db: Session) -> None:
    city, state = db.get_one(Tenant, AMRITSAR), db.get_one(Tenant, "pb")
    assert reopen_days(db, city) == REOPEN_DAYS
    state.reopen_days = 14
    assert reopen_days(db, city) == 14
    city.reopen_days = 3
    assert reopen_days(db, city) == 3
