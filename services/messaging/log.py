"""The message log: inbound deduplication and status updates that never move backwards.

A shared location is personal data: it is kept in `extras["location_enc"]` (encrypted JSON
`[lat, lon]`), never in clear.
"""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from channels.contract import DeliveryStatus, InboundEvent, StatusUpdate
from services.accounts.models import ChannelAccount
from services.contacts.models import Contact
from services.db.engine import insert_for
from services.messaging.models import Message
from services.security.crypto import Crypto


def record_inbound(db: Session, crypto: Crypto, account: ChannelAccount, contact: Contact,
                   event: InboundEvent) -> Message | None:
    """Log an inbound message; None when this provider id was already logged (a duplicate).

    One `INSERT … ON CONFLICT DO NOTHING RETURNING` on the unique provider id: a repeated or
    concurrent delivery of the same event inserts nothing, with no savepoint to roll back.
    """
    extras: dict[str, object] = {"payload": event.payload} if event.payload else {}
    if event.location:
        extras["location_enc"] = crypto.encrypt(
            json.dumps([event.location.latitude, event.location.longitude]))
    statement = (insert_for(db)(Message).values(
        tenant_id=account.tenant_id, account_id=account.id, contact_id=contact.id,
        direction="in", external_id=event.external_id, body_enc=crypto.encrypt(event.text),
        extras=extras, status=DeliveryStatus.DELIVERED.value)
        .on_conflict_do_nothing(index_elements=["account_id", "direction", "external_id"])
        .returning(Message))
    message: Message | None = db.scalars(statement).first()
    return message


def location_of(crypto: Crypto, message: Message) -> tuple[float, float] | None:
    """The location an inbound message shared, decrypted; None when it shared none."""
    token = message.extras.get("location_enc")
    if not isinstance(token, str):
        return None
    lat, lon = json.loads(crypto.decrypt(token))
    return float(lat), float(lon)


def apply_status(db: Session, account: ChannelAccount, update: StatusUpdate) -> bool:
    """Move an outbound message's status forward; late or repeated callbacks change nothing."""
    message = db.scalar(select(Message).where(
        Message.account_id == account.id, Message.direction == "out",
        Message.external_id == update.external_id))
    if message is None:
        return False
    current = DeliveryStatus(message.status)
    if update.status.rank <= current.rank and update.status is not DeliveryStatus.FAILED:
        return False
    if current in (DeliveryStatus.FAILED, DeliveryStatus.READ):
        return False
    message.status = update.status.value
    message.error_code = update.error_code
    return True
