"""Grievances in DIGIT's PGR v2, through the fake DIGIT in its own process: the citizen's OTP
login, filing with codes, place and photo, tracking, workflow actions, and the poll that
brings the platform's own changes to the citizen."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.connectors.digit.grievances import DigitRegistry
from services.connectors.errors import LoginRequired, OtpInvalid, PlatformUnavailable
from services.connectors.factory import ConnectedGrievances
from services.connectors.models import FILED, PlatformToken, RemoteGrievance
from services.connectors.poll import poll_all
from services.grievances.registry import InvalidTransition, NoteRequired, NotFound
from services.messaging.models import Message
from services.security.crypto import Crypto
from tests.services.connectors.conftest import (
    AMRITSAR,
    MOBILE,
    Citizen,
    Fake,
    connect_digit,
    refs,
)

PHOTO = b"\xff\xd8\xff\xe0" + b"photo-bytes" * 20


def registry(db: Session, crypto: Crypto) -> DigitRegistry:
    """The registry the factory picks for the demo city (a photo source for `held:x`)."""
    found = ConnectedGrievances().for_tenant(db, crypto, AMRITSAR)
    assert isinstance(found, DigitRegistry)
    found.photos = lambda tenant, ref: (PHOTO, "image/jpeg") if ref == "held:x" else None
    return found


def login(db: Session, crypto: Crypto, digit: Fake, citizen: Citizen) -> None:
    """File once to have the OTP sent, then type it."""
    cat, loc = refs(db)
    with pytest.raises(LoginRequired):
        registry(db, crypto).file(tenant_id=AMRITSAR, category_id=cat, locality_id=loc,
                                  description="x" * 12, contact_id=citizen.contact_id,
                                  account_id=citizen.account_id, channel="sms", actor="c")
    otp = digit.http.get(f"/_fake/otp/{MOBILE}").json()["otp"]
    registry(db, crypto).login(contact_id=citizen.contact_id, otp=otp)
    db.commit()


def file(db: Session, crypto: Crypto, citizen: Citizen, **evidence: object) -> str:
    """File a garbage complaint in Hall Bazaar as the logged-in citizen; its DIGIT id."""
    cat, loc = refs(db)
    view = registry(db, crypto).file(
        tenant_id=AMRITSAR, category_id=cat, locality_id=loc,
        description="Garbage heap near the temple gate", contact_id=citizen.contact_id,
        account_id=citizen.account_id, channel="sms", actor="citizen",
        evidence=evidence or {"location": {"lat": 31.62, "lon": 74.87}, "photos": ["held:x"]})
    db.commit()
    return view.id


def test_filing_asks_for_the_platforms_otp_and_keeps_no_password(
        db: Session, crypto: Crypto, digit: Fake, citizen: Citizen) -> None:
    connect_digit(db, crypto, digit)
    login(db, crypto, digit, citizen)
    token = db.scalar(select(PlatformToken))
    assert token is not None and token.contact_id == citizen.contact_id
    assert MOBILE not in token.token_enc  # the login is stored encrypted
    assert digit.state()["calls"]["otp_send"] == 1
    assert db.scalar(select(RemoteGrievance)) is None  # nothing filed before the login


def test_a_wrong_code_is_refused(db: Session, crypto: Crypto, digit: Fake,
                                 citizen: Citizen) -> None:
    connect_digit(db, crypto, digit)
    cat, loc = refs(db)
    with pytest.raises(LoginRequired):
        registry(db, crypto).file(tenant_id=AMRITSAR, category_id=cat, locality_id=loc,
                                  description="x" * 12, contact_id=citizen.contact_id,
                                  account_id=citizen.account_id, channel="sms", actor="c")
    with pytest.raises(OtpInvalid):
        registry(db, crypto).login(contact_id=citizen.contact_id, otp="000000x")


def test_filing_sends_codes_place_photo_and_our_key(db: Session, crypto: Crypto, digit: Fake,
                                                    citizen: Citizen) -> None:
    connect_digit(db, crypto, digit)
    login(db, crypto, digit, citizen)
    public_id = file(db, crypto, citizen)
    [stored] = digit.state()["services"]
    service, workflow = stored["service"], stored["workflow"]
    assert service["serviceRequestId"] == public_id and public_id.startswith("PB-PGR-")
    assert service["serviceCode"] == "garbage"
    assert service["address"]["locality"]["code"] == "hall-bazaar"
    assert service["address"]["geoLocation"] == {"latitude": 31.62, "longitude": 74.87}
    assert service["citizen"]["mobileNumber"] == MOBILE
    [document] = workflow["verificationDocuments"]
    assert document["documentType"] == "PHOTO" and digit.state()["files"] == 1
    link = db.scalar(select(RemoteGrievance))
    assert link is not None and link.state == FILED and link.payload_enc is None
    assert service["additionalDetail"]["idempotencyKey"] == link.idempotency_key


def test_tracking_reads_the_platform(db: Session, crypto: Crypto, digit: Fake,
                                     citizen: Citizen) -> None:
    connect_digit(db, crypto, digit)
    login(db, crypto, digit, citizen)
    public_id = file(db, crypto, citizen)
    view = registry(db, crypto).get(scope=AMRITSAR, public_id=public_id.lower())
    assert (view.status, view.category, view.locality) == ("open", "garbage", "hall-bazaar")
    assert view.category_names["en"] and view.ward  # named from our master data
    mine = registry(db, crypto).for_contact(tenant_id=AMRITSAR, contact_id=citizen.contact_id)
    assert [v.id for v in mine] == [public_id]
    assert registry(db, crypto).contact_of(public_id=public_id) == {
        "contact_id": citizen.contact_id, "account_id": citizen.account_id}
    with pytest.raises(NotFound):
        registry(db, crypto).get(scope="pb.ludhiana", public_id=public_id)
    with pytest.raises(NotFound):
        registry(db, crypto).get(scope=AMRITSAR, public_id="PB-PGR-2020-01-01-999999")


def test_staff_actions_follow_pgr_workflow(db: Session, crypto: Crypto, digit: Fake,
                                           citizen: Citizen) -> None:
    connect_digit(db, crypto, digit)
    login(db, crypto, digit, citizen)
    public_id = file(db, crypto, citizen)
    reg = registry(db, crypto)
    with pytest.raises(InvalidTransition):  # PGR has no "work started" state
        reg.transition(scope=AMRITSAR, public_id=public_id, action="start", actor="staff")
    with pytest.raises(InvalidTransition):  # PGR resolves only what is assigned
        reg.transition(scope=AMRITSAR, public_id=public_id, action="resolve", actor="staff",
                       note="done")
    assigned = reg.transition(scope=AMRITSAR, public_id=public_id, action="assign",
                              actor="staff", assignee="emp-uuid-1")
    assert assigned.status == "assigned" and assigned.assignee == "emp-uuid-1"
    with pytest.raises(NoteRequired):
        reg.transition(scope=AMRITSAR, public_id=public_id, action="resolve", actor="staff")
    resolved = reg.transition(scope=AMRITSAR, public_id=public_id, action="resolve",
                              actor="staff", note="Lifted at 10:40")
    assert resolved.status == "resolved" and resolved.last_note == "Lifted at 10:40"
    reopened = reg.reopen_by_citizen(scope=AMRITSAR, public_id=public_id,
                                     contact_id=citizen.contact_id, reason="It is back",
                                     window=timedelta(days=7))
    assert reopened.status == "reopened"
    assert digit.state()["services"][0]["workflow"]["action"] == "REOPEN"


def test_citizen_rates_and_pgr_closes(db: Session, crypto: Crypto, digit: Fake,
                                      citizen: Citizen) -> None:
    connect_digit(db, crypto, digit)
    login(db, crypto, digit, citizen)
    public_id = file(db, crypto, citizen)
    reg = registry(db, crypto)
    reg.transition(scope=AMRITSAR, public_id=public_id, action="assign", actor="s")
    reg.transition(scope=AMRITSAR, public_id=public_id, action="resolve", actor="s", note="ok")
    with pytest.raises(NotFound):  # only the citizen who filed it
        reg.rate(scope=AMRITSAR, public_id=public_id, contact_id="someone-else", stars=5,
                 comment=None)
    rated = reg.rate(scope=AMRITSAR, public_id=public_id, contact_id=citizen.contact_id,
                     stars=4, comment="quick")
    assert rated.rating is not None and rated.rating.stars == 4
    service = digit.state()["services"][0]["service"]
    assert (service["applicationStatus"], service["rating"]) == ("CLOSEDAFTERRESOLUTION", 4)


def test_a_change_made_in_the_platform_reaches_the_citizen_once(
        sessions: sessionmaker[Session], db: Session, crypto: Crypto, digit: Fake,
        citizen: Citizen) -> None:
    connect_digit(db, crypto, digit)
    login(db, crypto, digit, citizen)
    public_id = file(db, crypto, citizen)
    registries = ConnectedGrievances()
    assert poll_all(sessions, crypto, registries) == []  # nothing moved yet
    for action in ("ASSIGN", "RESOLVE"):
        digit.post("/_fake/act", {"serviceRequestId": public_id, "action": action,
                                  "comments": "Cleared by the sanitation team"}
                   ).raise_for_status()
    [outbox_id] = poll_all(sessions, crypto, registries)
    assert poll_all(sessions, crypto, registries) == []  # the same change is told once
    with sessions() as check:
        text = check.scalars(select(Message).where(Message.contact_id == citizen.contact_id)
                             .order_by(Message.created_at.desc())).first()
        assert text is not None
        body = crypto.decrypt(text.body_enc)
    assert public_id in body and "Cleared by the sanitation team" in body
    assert "हल हो गई" in body  # in the citizen's language (Hindi)
    assert outbox_id


def test_reads_say_plainly_when_the_platform_is_down(db: Session, crypto: Crypto,
                                                     digit: Fake, citizen: Citizen) -> None:
    connect_digit(db, crypto, digit)
    login(db, crypto, digit, citizen)
    public_id = file(db, crypto, citizen)
    digit.knobs(down=True)
    with pytest.raises(PlatformUnavailable):
        registry(db, crypto).get(scope=AMRITSAR, public_id=public_id)
