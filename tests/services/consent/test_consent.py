"""Consent: grants and withdrawals recorded, the most specific word decides, STOP wins."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.consent.models import ANY, Consent, ConsentRecord
from services.consent.purposes import ANNOUNCEMENT, PROMOTIONAL, REMINDER
from services.consent.query import allowed, allowed_clause, excluded_clause
from services.consent.record import grant, opt_out, withdraw
from services.contacts.models import Contact
from services.contacts.service import get_or_create
from services.security.crypto import Crypto

CITY = "pb.amritsar"


def _contact(db: Session, crypto: Crypto, number: str = "+919800000001") -> Contact:
    contact = get_or_create(db, crypto, CITY, f"tel:{number}")
    db.flush()
    return contact


def test_service_purposes_are_allowed_until_withdrawn(db: Session, crypto: Crypto) -> None:
    contact = _contact(db, crypto)
    assert allowed(db, CITY, contact.id, REMINDER, "twilio-sms")
    withdraw(db, contact, REMINDER, "twilio-sms", "staff:7")
    assert not allowed(db, CITY, contact.id, REMINDER, "exotel-sms")  # the medium, not provider
    assert allowed(db, CITY, contact.id, REMINDER, "whatsapp-cloud")
    assert allowed(db, CITY, contact.id, ANNOUNCEMENT, "twilio-sms")


def test_promotional_needs_a_grant(db: Session, crypto: Crypto) -> None:
    contact = _contact(db, crypto)
    assert not allowed(db, CITY, contact.id, PROMOTIONAL, "sms")
    grant(db, contact, PROMOTIONAL, ANY, "form:camp-signup")
    assert allowed(db, CITY, contact.id, PROMOTIONAL, "sms")
    withdraw(db, contact, PROMOTIONAL, "whatsapp", "keyword:whatsapp")
    assert not allowed(db, CITY, contact.id, PROMOTIONAL, "whatsapp")  # specific beats any
    assert allowed(db, CITY, contact.id, PROMOTIONAL, "voice")


def test_unknown_purpose_fails_closed(db: Session, crypto: Crypto) -> None:
    contact = _contact(db, crypto)
    assert not allowed(db, CITY, contact.id, "lottery", "sms")
    with pytest.raises(ValueError, match="channel_type"):
        allowed(db, CITY, contact.id, REMINDER, "carrier-pigeon")


def test_other_tenant_contact_is_never_allowed(db: Session, crypto: Crypto) -> None:
    contact = _contact(db, crypto)
    assert not allowed(db, "pb.ludhiana", contact.id, REMINDER, "sms")
    assert not allowed(db, CITY, "0" * 32, REMINDER, "sms")


def test_stop_withdraws_everything_and_start_restores_only_service(
        db: Session, crypto: Crypto) -> None:
    contact = _contact(db, crypto)
    grant(db, contact, PROMOTIONAL, "sms", "form:x")
    opt_out(db, contact, opted_out=True, channel_type="twilio-whatsapp")
    assert contact.opted_out
    assert not allowed(db, CITY, contact.id, REMINDER, "sms")
    assert not allowed(db, CITY, contact.id, PROMOTIONAL, "sms")
    opt_out(db, contact, opted_out=False, channel_type="twilio-sms")
    assert allowed(db, CITY, contact.id, REMINDER, "sms")
    assert not allowed(db, CITY, contact.id, PROMOTIONAL, "sms")  # asked again, not revived
    history = db.execute(select(ConsentRecord.purpose, ConsentRecord.channel,
                                ConsentRecord.granted, ConsentRecord.source)
                         .where(ConsentRecord.contact_id == contact.id)
                         .order_by(ConsentRecord.at, ConsentRecord.id)).all()
    assert [tuple(r) for r in history] == [
        (PROMOTIONAL, "sms", True, "form:x"),
        (PROMOTIONAL, "sms", False, "keyword:whatsapp"),
        (ANY, ANY, False, "keyword:whatsapp"),
        (ANY, ANY, True, "keyword:sms"),
    ]
    states = db.scalar(select(func.count()).select_from(Consent)
                       .where(Consent.contact_id == contact.id))
    assert states == 2  # one current row per (purpose, channel), the history apart


def test_bulk_clause_matches_the_single_check(db: Session, crypto: Crypto) -> None:
    people = [_contact(db, crypto, f"+9198000001{n:02d}") for n in range(6)]
    withdraw(db, people[0], REMINDER, "sms", "staff:1")
    withdraw(db, people[1], ANY, "sms", "staff:1")
    opt_out(db, people[2], opted_out=True, channel_type="twilio-sms")
    withdraw(db, people[3], REMINDER, ANY, "staff:1")
    grant(db, people[3], REMINDER, "sms", "staff:1")  # sms alone granted again
    ids = [p.id for p in people]
    kept = set(db.scalars(select(Contact.id).where(Contact.id.in_(ids),
                                                   allowed_clause(REMINDER, "twilio-sms"))))
    assert kept == {ids[3], ids[4], ids[5]}
    assert kept == {i for i in ids if allowed(db, CITY, i, REMINDER, "twilio-sms")}
    dropped = db.scalar(select(func.count()).select_from(Contact).where(
        Contact.id.in_(ids), excluded_clause(REMINDER, "sms")))
    assert dropped == 3


@pytest.mark.parametrize("purpose", [REMINDER, PROMOTIONAL, "lottery"])
@pytest.mark.parametrize("channel", ["sms", "whatsapp", "voice"])
def test_the_python_rule_is_the_sql_rule(db: Session, crypto: Crypto, purpose: str,
                                         channel: str) -> None:
    """`decide` (batches) and `allowed_clause` (SQL) agree on every mix of words."""
    from services.consent.query import Verdict, decide, states_of

    words = [(REMINDER, "sms", False), (PROMOTIONAL, ANY, True), (ANY, "whatsapp", False),
             (PROMOTIONAL, "voice", False), (REMINDER, ANY, True)]
    people = []
    for n in range(1 << len(words)):
        contact = _contact(db, crypto, f"+91980001{n:04d}")
        for bit, (p, c, granted) in enumerate(words):
            if n >> bit & 1:
                (grant if granted else withdraw)(db, contact, p, c, "test")
        people.append(contact)
    states = states_of(db, [p.id for p in people])
    for contact in people:
        verdict = decide(contact.opted_out, states.get(contact.id, {}), purpose, channel)
        assert (verdict is Verdict.ALLOWED) == allowed(db, CITY, contact.id, purpose, channel)
