"""Writing consent: each grant or withdrawal appended to the record and made the current state.

Nothing here commits: the caller's transaction (a conversation turn, an import) carries it,
so the record lands with the change that caused it or not at all.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.consent.models import ANY, Consent, ConsentRecord
from services.consent.purposes import channel_of, check_purpose
from services.contacts.models import Contact
from services.db.base import utcnow

MAX_SOURCE = 64


def record(db: Session, *, tenant_id: str, contact_id: str, purpose: str, channel_type: str,
           granted: bool, source: str, at: datetime | None = None) -> ConsentRecord:
    """Append one grant or withdrawal and make it the current state of its purpose and
    channel; ValueError for an unknown channel type or an empty purpose or source."""
    purpose, channel = check_purpose(purpose), channel_of(channel_type)
    if not source.strip():
        raise ValueError("source")
    when = at or utcnow()
    row = ConsentRecord(tenant_id=tenant_id, contact_id=contact_id, purpose=purpose,
                        channel=channel, granted=granted, at=when,
                        source=source.strip()[:MAX_SOURCE])
    db.add(row)
    db.flush()
    query = select(Consent).where(Consent.contact_id == contact_id, Consent.purpose == purpose,
                                  Consent.channel == channel)
    state = db.scalar(query)
    if state is None:
        try:  # two channels' turns of one citizen may race to the first word
            with db.begin_nested():
                db.add(Consent(tenant_id=tenant_id, contact_id=contact_id, purpose=purpose,
                               channel=channel, granted=granted, record_id=row.id,
                               updated_at=when))
            return row
        except IntegrityError:
            state = db.scalar(query)
            assert state is not None
    state.granted, state.record_id, state.updated_at = granted, row.id, when
    db.flush()
    return row


def grant(db: Session, contact: Contact, purpose: str, channel_type: str,
          source: str) -> ConsentRecord:
    """The citizen agreed to `purpose` on a channel (`*`: every channel)."""
    return record(db, tenant_id=contact.tenant_id, contact_id=contact.id, purpose=purpose,
                  channel_type=channel_type, granted=True, source=source)


def withdraw(db: Session, contact: Contact, purpose: str, channel_type: str,
             source: str) -> ConsentRecord:
    """The citizen withdrew `purpose` on a channel (`*`: every channel)."""
    return record(db, tenant_id=contact.tenant_id, contact_id=contact.id, purpose=purpose,
                  channel_type=channel_type, granted=False, source=source)


def keyword_source(channel_type: str) -> str:
    """The source of a STOP or START the citizen sent: `keyword:<medium>`."""
    return f"keyword:{channel_of(channel_type)}"


def opt_out(db: Session, contact: Contact, *, opted_out: bool, channel_type: str,
            source: str | None = None) -> None:
    """STOP (everything withdrawn) or START (messages resumed) as the engine's SetOptOut says.

    STOP withdraws every purpose on every channel and each grant the contact had, so a
    promotional grant given before does not come back with START: START resumes what needs
    no grant (service messages), and anything promotional must be granted again."""
    said = source or keyword_source(channel_type)
    contact.opted_out = opted_out
    if opted_out:
        granted = db.scalars(select(Consent).where(
            Consent.contact_id == contact.id, Consent.granted.is_(True),
            (Consent.purpose != ANY) | (Consent.channel != ANY)))
        for state in list(granted):
            withdraw(db, contact, state.purpose, state.channel, said)
    record(db, tenant_id=contact.tenant_id, contact_id=contact.id, purpose=ANY,
           channel_type=ANY, granted=not opted_out, source=said)
