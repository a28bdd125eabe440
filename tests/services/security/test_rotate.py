"""`keys rotate`: every encrypted column and lookup hash moves to the current key, in batches."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from channels.contract import InboundEvent, Location
from services.accounts.models import ChannelAccount
from services.contacts.models import Contact
from services.contacts.service import get_or_create
from services.grievances.builtin import BuiltinRegistry
from services.grievances.models import Grievance, GrievanceEvent
from services.messaging.log import location_of, record_inbound
from services.messaging.models import Message
from services.security.crypto import Crypto, DecryptionError
from services.security.rotate import TARGETS, Tally, pending_counts, rotate, rotate_target
from services.settings import Settings
from tests.services.grievances.helpers import AMRITSAR, file

NEW = "k2:" + "the-new-secret-after-rotation-0123456789"
URN = "tel:+919876500001"


class Stop(Exception):
    """Simulates the operator's Ctrl-C between batches."""


def _seed(db: Session, crypto: Crypto, registry: BuiltinRegistry) -> str:
    """A contact, an inbound message with a location, a grievance with evidence and a note,
    plus the forms data had before it was encrypted (clear note, clear location)."""
    contact = get_or_create(db, crypto, AMRITSAR, URN)
    account = db.scalars(select(ChannelAccount).where(ChannelAccount.tenant_id == AMRITSAR)
                         .order_by(ChannelAccount.id)).first()
    assert account is not None
    record_inbound(db, crypto, account, contact, InboundEvent(
        "evt-1", URN, "bot", text="here", location=Location(31.62, 74.87)))
    db.add(Message(tenant_id=AMRITSAR, account_id=account.id, contact_id=contact.id,
                   direction="in", external_id="legacy-1", body_enc=crypto.encrypt("old"),
                   extras={"location": [31.1, 74.1]}, status="delivered"))
    view = file(db, crypto, contact_id=contact.id, account_id=account.id)
    registry.transition(scope=AMRITSAR, public_id=view.id, action="resolve", actor="staff:1",
                        note="cleared by the crew")
    db.add(GrievanceEvent(tenant_id=AMRITSAR, grievance_id=db.scalars(
        select(Grievance.id).where(Grievance.public_id == view.id)).one(), actor="staff:1",
        action="comment", to_status="resolved", note="a clear note from before 0006"))
    db.commit()
    return view.id


def _assert_all_under(db: Session, key_id: str) -> None:
    """Every ciphertext and hash in the tables rotation covers names that key."""
    for target in TARGETS:
        for row in db.execute(select(target.table)).mappings():
            for name in target.checked:
                if row[name] is not None:
                    assert row[name].startswith(key_id + "$"), (target.name, name)


def test_rotation_moves_everything_to_the_new_key(
        db: Session, crypto: Crypto, registry: BuiltinRegistry, settings: Settings) -> None:
    public_id = _seed(db, crypto, registry)
    ring = Crypto(f"{NEW},{settings.secret_key.get_secret_value()}")
    before = pending_counts(db, ring)
    assert before["contacts"] >= 1 and before["messages"] >= 2 and before["grievance_events"] >= 2
    tallies = rotate(db, ring, size=2)
    assert all(t.failed == 0 and t.raced == 0 for t in tallies.values())
    assert tallies["channel_accounts"].rotated == before["channel_accounts"]
    assert set(pending_counts(db, ring).values()) == {0}
    _assert_all_under(db, "k2")

    alone = Crypto(NEW)  # the old key can now be dropped
    db.expire_all()
    contact = get_or_create(db, alone, AMRITSAR, URN)
    assert db.scalar(select(Contact.id).where(Contact.urn_hash == alone.lookup_hash(URN))) \
        == contact.id
    locations = {m.external_id: location_of(alone, m) for m in db.scalars(select(Message))
                 if m.contact_id == contact.id}
    assert locations == {"evt-1": (31.62, 74.87), "legacy-1": (31.1, 74.1)}
    assert all("location" not in m.extras for m in db.scalars(select(Message)))
    view = BuiltinRegistry(db, alone).get(scope=AMRITSAR, public_id=public_id)
    assert [h.note for h in view.history if h.note] == ["cleared by the crew",
                                                        "a clear note from before 0006"]
    assert db.scalar(select(GrievanceEvent.id).where(GrievanceEvent.note.is_not(None))) is None
    again = rotate(db, ring)
    assert {t.rotated for t in again.values()} == {0}


def test_a_stopped_rotation_resumes_where_it_left_off(
        db: Session, crypto: Crypto, registry: BuiltinRegistry, settings: Settings) -> None:
    """Each batch is committed: after a stop, the next run finds only what is left."""
    _seed(db, crypto, registry)
    ring = Crypto(f"{NEW},{settings.secret_key.get_secret_value()}")
    accounts = next(t for t in TARGETS if t.name == "channel_accounts")
    total = pending_counts(db, ring)["channel_accounts"]
    assert total >= 2

    def stop(_: str, tally: Tally) -> None:
        raise Stop

    with pytest.raises(Stop):
        rotate_target(db, accounts, ring, size=1, progress=stop)
    db.rollback()
    assert pending_counts(db, ring)["channel_accounts"] == total - 1
    assert rotate_target(db, accounts, ring, size=1).rotated == total - 1


def test_rows_under_an_unknown_key_are_counted_and_left_alone(
        db: Session, crypto: Crypto, registry: BuiltinRegistry, settings: Settings) -> None:
    """Nothing is lost: a row the ring cannot read is reported, not rewritten or dropped."""
    _seed(db, crypto, registry)
    stranger = Crypto("k9:" + "a-key-nobody-configured-0123456789")
    row = db.scalars(select(Message).where(Message.external_id == "evt-1")).one()
    row.body_enc = stranger.encrypt("kept as it was")
    db.commit()
    ring = Crypto(f"{NEW},{settings.secret_key.get_secret_value()}")
    tallies = rotate(db, ring)
    assert tallies["messages"].failed == 1
    db.refresh(row)
    assert stranger.decrypt(row.body_enc) == "kept as it was"
    with pytest.raises(DecryptionError):
        ring.decrypt(row.body_enc)


def test_the_message_log_keeps_no_location_in_clear(db: Session, crypto: Crypto,
                                                    registry: BuiltinRegistry) -> None:
    _seed(db, crypto, registry)
    row = db.scalars(select(Message).where(Message.external_id == "evt-1")).one()
    assert "location" not in row.extras and "74.87" not in json.dumps(row.extras)
    assert location_of(crypto, row) == (31.62, 74.87)
