"""Grievances in an Open311 GeoReport v2 server, through the fake server in its own process:
form-encoded filing with the API key, reading back by id, a citizen's list, the server's
tokens, service-code mapping, and the server's own closing reaching the citizen."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.connectors.errors import PlatformRefused
from services.connectors.factory import ConnectedGrievances
from services.connectors.models import RemoteGrievance
from services.connectors.open311.client import Open311Client
from services.connectors.open311.grievances import Open311Registry
from services.connectors.poll import poll_all
from services.grievances.registry import InvalidTransition, NotFound
from services.messaging.models import Message
from services.security.crypto import Crypto
from tests.services.connectors.conftest import AMRITSAR, Citizen, Fake, connect, refs


def registry(db: Session, crypto: Crypto) -> Open311Registry:
    """The registry the factory picks for the demo city."""
    found = ConnectedGrievances().for_tenant(db, crypto, AMRITSAR)
    assert isinstance(found, Open311Registry)
    return found


def file(db: Session, crypto: Crypto, citizen: Citizen, category: str = "garbage",
         **evidence: object) -> str:
    """File as the citizen; the server's request id."""
    cat, loc = refs(db, category)
    view = registry(db, crypto).file(
        tenant_id=AMRITSAR, category_id=cat, locality_id=loc,
        description="Garbage not collected for three days", contact_id=citizen.contact_id,
        account_id=citizen.account_id, channel="sms", actor="citizen",
        evidence=evidence or {"location": {"lat": 31.63, "lon": 74.88}})
    db.commit()
    return view.id


def test_filing_posts_the_spec_form_and_reads_it_back(db: Session, crypto: Crypto,
                                                      open311: Fake, citizen: Citizen) -> None:
    connect(db, crypto, "grievances", "open311", open311.base_url, api_key="fake-key")
    request_id = file(db, crypto, citizen)
    [stored] = open311.state()["requests"]
    assert stored["service_request_id"] == request_id
    assert (stored["service_code"], stored["lat"], stored["long"]) == ("garbage", 31.63, 74.88)
    view = registry(db, crypto).get(scope=AMRITSAR, public_id=request_id)
    assert (view.status, view.category, view.locality) == ("open", "garbage", "hall-bazaar")
    assert view.evidence["location"] == {"lat": 31.63, "lon": 74.88}
    mine = registry(db, crypto).for_contact(tenant_id=AMRITSAR, contact_id=citizen.contact_id)
    assert [v.id for v in mine] == [request_id]


def test_a_typed_number_finds_the_request(db: Session, crypto: Crypto, open311: Fake,
                                          citizen: Citizen) -> None:
    connect(db, crypto, "grievances", "open311", open311.base_url, api_key="fake-key")
    request_id = file(db, crypto, citizen)
    # the track flow turns a typed number into our id form; the registry reads it back
    view = registry(db, crypto).get(scope=AMRITSAR, public_id=f"PB-AMR-2026-{request_id}")
    assert view.id == request_id
    with pytest.raises(NotFound):
        registry(db, crypto).get(scope=AMRITSAR, public_id="999")


def test_a_landmark_goes_as_address_string_and_codes_are_mapped(
        db: Session, crypto: Crypto, open311: Fake, citizen: Citizen) -> None:
    connect(db, crypto, "grievances", "open311", open311.base_url, api_key="fake-key",
            **{"service:road": "pothole"})
    request_id = file(db, crypto, citizen, "road",
                      location={"text": "opposite the post office"})
    [stored] = open311.state()["requests"]
    assert stored["service_code"] == "pothole"
    assert stored["address"].startswith("opposite the post office")
    view = registry(db, crypto).get(scope=AMRITSAR, public_id=request_id)
    assert view.category == "road"  # back in our codes


def test_a_wrong_api_key_is_refused_and_nothing_kept(db: Session, crypto: Crypto,
                                                     open311: Fake, citizen: Citizen) -> None:
    connect(db, crypto, "grievances", "open311", open311.base_url, api_key="wrong")
    with pytest.raises(PlatformRefused):
        file(db, crypto, citizen)
    db.rollback()
    assert db.scalar(select(RemoteGrievance)) is None
    assert open311.state()["requests"] == []


def test_a_token_answer_is_looked_up(db: Session, crypto: Crypto, open311: Fake,
                                     citizen: Citizen) -> None:
    connect(db, crypto, "grievances", "open311", open311.base_url, api_key="fake-key")
    open311.knobs(tokens=True)
    request_id = file(db, crypto, citizen)
    assert request_id == open311.state()["requests"][0]["service_request_id"]


def test_georeport_cannot_act_on_a_request(db: Session, crypto: Crypto, open311: Fake,
                                           citizen: Citizen) -> None:
    connect(db, crypto, "grievances", "open311", open311.base_url, api_key="fake-key")
    request_id = file(db, crypto, citizen)
    with pytest.raises(InvalidTransition):
        registry(db, crypto).transition(scope=AMRITSAR, public_id=request_id,
                                        action="resolve", actor="staff", note="done")


def test_the_service_list_is_read(db: Session, crypto: Crypto, open311: Fake) -> None:
    connect(db, crypto, "grievances", "open311", open311.base_url, api_key="fake-key")
    codes = {s["service_code"] for s in Open311Client(registry(db, crypto).settings).services()}
    assert {"garbage", "streetlight", "pothole"} <= codes


def test_the_servers_closing_reaches_the_citizen_once(
        sessions: sessionmaker[Session], db: Session, crypto: Crypto, open311: Fake,
        citizen: Citizen) -> None:
    connect(db, crypto, "grievances", "open311", open311.base_url, api_key="fake-key")
    request_id = file(db, crypto, citizen)
    db.close()
    assert poll_all(sessions, crypto, ConnectedGrievances()) == []
    open311.post("/_fake/close", {"service_request_id": request_id,
                                  "status_notes": "Collected this morning"}).raise_for_status()
    [told] = poll_all(sessions, crypto, ConnectedGrievances())
    assert poll_all(sessions, crypto, ConnectedGrievances()) == []
    with sessions() as check:
        message = check.scalars(select(Message).where(Message.contact_id == citizen.contact_id)
                                .order_by(Message.created_at.desc())).first()
        assert message is not None and told
        body = crypto.decrypt(message.body_enc)
    assert request_id in body and "Collected this morning" in body and "हल हो गई" in body
