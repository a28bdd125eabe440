"""A shared location and photos are kept with the grievance, encrypted, and shown to staff."""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.conversation.operations import evidence
from services.grievances.builtin import BuiltinRegistry
from services.grievances.models import Grievance
from services.grievances.schemas import GrievanceOut
from services.security.crypto import Crypto
from tests.services.grievances.helpers import AMRITSAR, refs


def test_evidence_round_trips_encrypted_and_reaches_the_staff_view(db: Session,
                                                                   crypto: Crypto) -> None:
    found = evidence({"location": {"lat": 31.62, "lon": 74.87},
                      "photo": {"media": ["tg-file:AgACAgUA"]}})
    r = refs(db, AMRITSAR, "garbage", "hall-bazaar")
    view = BuiltinRegistry(db, crypto).file(
        tenant_id=AMRITSAR, category_id=r.category_id, locality_id=r.locality_id,
        description="Garbage heap", contact_id=None, account_id=None, channel="telegram",
        actor="test", evidence=found)
    row = db.query(Grievance).filter_by(public_id=view.id).one()
    assert row.evidence_enc
    assert "74.87" not in row.evidence_enc and "tg-file" not in row.evidence_enc
    shown = GrievanceOut.of(BuiltinRegistry(db, crypto).get(scope=AMRITSAR, public_id=view.id))
    assert shown.location == {"lat": 31.62, "lon": 74.87}
    assert shown.photos == ["tg-file:AgACAgUA"]


def test_a_recorded_description_is_evidence() -> None:
    """An IVR caller's recording (kept by the description question) is listed as evidence."""
    found = evidence({"photo": None, "recording": ["https://api.twilio.com/…/RE1"]})
    assert found == {"recordings": ["https://api.twilio.com/…/RE1"]}
    assert evidence({"recording": None}) == {}


def test_nothing_shared_means_no_evidence() -> None:
    assert evidence({"location": None, "photo": None}) == {}
    assert evidence({"location": {"text": "Opposite the school"}}) == {
        "location": {"text": "Opposite the school"}}
