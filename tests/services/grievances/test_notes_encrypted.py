"""Staff notes are personal data: encrypted in `grievance_events`, read back through the view."""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from services.grievances.builtin import BuiltinRegistry
from services.grievances.models import Grievance, GrievanceEvent
from services.security.crypto import Crypto
from tests.services.grievances.helpers import AMRITSAR, file

NOTE = "Spoke to Mrs Kaur at 98140 12345; crew on Monday"


def test_a_note_is_stored_encrypted_and_read_in_clear(db: Session, crypto: Crypto,
                                                      registry: BuiltinRegistry) -> None:
    view = file(db, crypto)
    registry.transition(scope=AMRITSAR, public_id=view.id, action="resolve", actor="staff:1",
                        note=NOTE)
    db.commit()
    stored = db.execute(text("SELECT note, note_enc FROM grievance_events "
                             "WHERE note_enc IS NOT NULL")).all()
    assert len(stored) == 1
    note, note_enc = stored[0]
    assert note is None and NOTE not in note_enc and "98140" not in note_enc
    assert registry.get(scope=AMRITSAR, public_id=view.id).last_note == NOTE


def test_a_note_from_before_encryption_still_reads(db: Session, crypto: Crypto,
                                                   registry: BuiltinRegistry) -> None:
    """Rows written before migration 0006 keep their clear note until `keys rotate`."""
    view = file(db, crypto)
    event = db.scalars(select(GrievanceEvent).join(Grievance, Grievance.id ==
                                                   GrievanceEvent.grievance_id)
                       .where(Grievance.public_id == view.id)).first()
    assert event is not None
    event.note = "legacy note"
    db.flush()
    assert "legacy note" in [h.note for h in registry.get(scope=AMRITSAR, public_id=view.id)
                             .history]
