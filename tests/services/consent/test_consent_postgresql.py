"""Consent and audiences on PostgreSQL: the same rule, the bulk clause, the first-word race."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from services.campaigns.audience import AudienceSummary, Recipient, parse_csv, resolve
from services.consent.models import ANY, Consent
from services.consent.purposes import PROMOTIONAL, REMINDER
from services.consent.query import allowed, allowed_clause
from services.consent.record import grant, opt_out, withdraw
from services.contacts.models import Contact
from services.contacts.service import get_or_create
from services.db.engine import make_engine, make_sessionmaker
from services.db.migrate import upgrade
from services.security.crypto import Crypto
from services.tenancy.models import Tenant
from tests.support.gateway import make_settings
from tests.support.services import postgres_database

pytestmark = pytest.mark.integration
CITY = "pb.amritsar"


def test_consent_on_postgresql(tmp_path: Path) -> None:
    crypto = Crypto(make_settings(tmp_path, 0).secret_key.get_secret_value())
    with postgres_database() as url:
        upgrade(url)
        engine = make_engine(url)
        sessions = make_sessionmaker(engine)
        try:
            with sessions() as db:
                db.add(Tenant(id="pb", code="PB", names={"en": "Punjab"}))
                db.add(Tenant(id=CITY, parent_id="pb", code="PB-AMR", names={"en": "Amritsar"},
                              default_language="pa", languages=["pa", "hi", "en"]))
                db.flush()
                people = [get_or_create(db, crypto, CITY, f"tel:+9198765000{n:02d}")
                          for n in range(5)]
                db.flush()
                withdraw(db, people[0], REMINDER, "twilio-sms", "staff:1")
                opt_out(db, people[1], opted_out=True, channel_type="whatsapp-cloud")
                grant(db, people[2], PROMOTIONAL, ANY, "form:x")
                db.commit()
                ids = [p.id for p in people]
                kept = set(db.scalars(select(Contact.id).where(
                    Contact.id.in_(ids), allowed_clause(REMINDER, "exotel-sms"))))
                assert kept == set(ids[2:])
                assert {i for i in ids if allowed(db, CITY, i, PROMOTIONAL, "sms")} == {ids[2]}
                summary = AudienceSummary()
                csv_text = "phone\n" + "".join(f"98765000{n:02d}\n" for n in range(7))
                out = list(resolve(db, crypto, tenant_id=CITY, purpose=REMINDER,
                                   default_channel="twilio-sms", summary=summary,
                                   items=parse_csv(io.StringIO(csv_text))))
                assert sum(isinstance(i, Recipient) for i in out) == 5
                assert (summary.opted_out, summary.no_consent, summary.known) == (1, 1, 3)
                target = people[4].id

            def stop() -> None:  # two channels' STOPs of one citizen at once
                with sessions() as db:
                    contact = db.get_one(Contact, target)
                    opt_out(db, contact, opted_out=True, channel_type="twilio-sms")
                    db.commit()

            threads = [threading.Thread(target=stop) for _ in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            with sessions() as db:
                states = list(db.scalars(select(Consent).where(Consent.contact_id == target)))
                assert [(s.purpose, s.channel, s.granted) for s in states] == [(ANY, ANY, False)]
        finally:
            engine.dispose()
