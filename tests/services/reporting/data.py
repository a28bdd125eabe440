"""Rows with known times and amounts for the reporting tests, written straight to the tables."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from payments.models import Bill
from payments.receipts.models import Receipt
from services.accounts.models import ChannelAccount
from services.contacts.models import Contact
from services.grievances.models import Grievance, GrievanceEvent
from services.messaging.models import Message
from services.security.crypto import Crypto
from tests.services.grievances.helpers import AMRITSAR, file

START = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def grievance(db: Session, crypto: Crypto, *, filed: datetime, resolved_after: float | None,
              category: str = "garbage", locality: str = "hall-bazaar",
              tenant_id: str = AMRITSAR, sla_hours: float = 48) -> str:
    """A grievance filed at `filed` (due `sla_hours` later), resolved after that many hours."""
    if tenant_id != AMRITSAR:
        locality = "model-town"
    view = file(db, crypto, tenant_id=tenant_id, category=category, locality=locality)
    row = db.scalar(select(Grievance).where(Grievance.public_id == view.id))
    assert row is not None
    row.created_at, row.due_at = filed, filed + timedelta(hours=sla_hours)
    for event in db.scalars(select(GrievanceEvent).where(GrievanceEvent.grievance_id == row.id)):
        event.at = filed
    if resolved_after is not None:
        db.add(GrievanceEvent(tenant_id=row.tenant_id, grievance_id=row.id,
                              at=filed + timedelta(hours=resolved_after), actor="test",
                              action="resolve", from_status="open", to_status="resolved"))
        row.status = "resolved"
    db.flush()
    return view.id


def bill(db: Session, *, service: str, paise: int, at: datetime,
         tenant_id: str = AMRITSAR) -> None:
    """A bill issued at a time."""
    db.add(Bill(tenant_id=tenant_id, service=service, consumer_no=secrets.token_hex(4),
                bill_no=secrets.token_hex(4), period_start=at.date(), period_end=at.date(),
                amount_paise=paise, due_date=at.date(), created_at=at))
    db.flush()


def receipt(db: Session, *, service: str, paise: int, method: str, at: datetime,
            contact_id: str | None = None, tenant_id: str = AMRITSAR) -> None:
    """A receipted payment."""
    ref = secrets.token_hex(8)
    db.add(Receipt(tenant_id=tenant_id, number=ref, service=service, fiscal_year="2025-26",
                   sequence=1, payment_ref=ref, bill_ref=ref, consumer_no=ref,
                   amount_paise=paise, paid_at=at, method=method, gateway_payment_id=ref,
                   contact_id=contact_id, key_id="k", signature="s"))
    db.flush()


def account(db: Session, channel_type: str, tenant_id: str = AMRITSAR) -> ChannelAccount:
    """The demo city's simulated account of a channel type."""
    found = db.scalar(select(ChannelAccount).where(ChannelAccount.tenant_id == tenant_id,
                                                   ChannelAccount.channel_type == channel_type))
    assert found is not None, channel_type
    return found


def contact(db: Session, crypto: Crypto, language: str | None,
            tenant_id: str = AMRITSAR) -> Contact:
    """A citizen speaking a language."""
    urn = "tel:+9198" + str(secrets.randbelow(10**8)).zfill(8)
    row = Contact(tenant_id=tenant_id, urn_hash=crypto.lookup_hash(urn),
                  urn_enc=crypto.encrypt(urn), language=language)
    db.add(row)
    db.flush()
    return row


def message(db: Session, crypto: Crypto, who: Contact, via: ChannelAccount, *, direction: str,
            at: datetime, status: str = "delivered") -> None:
    """One logged message."""
    db.add(Message(tenant_id=who.tenant_id, account_id=via.id, contact_id=who.id,
                   direction=direction, body_enc=crypto.encrypt("hello"), status=status,
                   created_at=at, updated_at=at))
    db.flush()
