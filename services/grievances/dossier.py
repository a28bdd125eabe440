"""What an officer needs to act on a grievance, from the gateway's own records.

The registry (built in or a platform connector) holds the grievance; the gateway holds who
filed it and how: the citizen's name where their channel gave one, their number (shown
masked; the full number only through the recorded reveal), the conversation that produced
the grievance, and the photos and recordings copied into its store.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import phonenumbers
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.contacts.models import Contact
from services.contacts.service import name_of
from services.db.base import aware
from services.grievances.builtin import as_utc
from services.media.models import MediaObject
from services.messaging.models import Message
from services.security.crypto import Crypto

TRANSCRIPT_LIMIT = 50
"""Messages shown before the filing (a conversation that filed a grievance is far shorter)."""
CONFIRMATION_SECONDS = 60
"""The reply that confirmed the filing comes from the same turn, within this of it."""
MAP_ZOOM = 18


@dataclass(frozen=True)
class Citizen:
    """Who filed: the name they gave, and their number masked (None when not a phone)."""

    contact_id: str
    name: str | None
    phone_masked: str | None


def phone_of(crypto: Crypto, contact: Contact) -> str | None:
    """The contact's phone number in E.164, or None (a Telegram chat, a web visitor)."""
    scheme, _, address = crypto.decrypt(contact.urn_enc).partition(":")
    return address if scheme == "tel" and address.startswith("+") else None


def mask(number: str) -> str:
    """`+91 98xxxxxx10`: the country code, the first two and last two digits of the rest."""
    try:
        parsed = phonenumbers.parse(number, None)
        country, national = str(parsed.country_code), str(parsed.national_number)
    except phonenumbers.NumberParseException:
        digits = "".join(ch for ch in number if ch.isdigit())
        country, national = "", digits
    if len(national) <= 4:
        hidden = "x" * len(national)
    else:
        hidden = national[:2] + "x" * (len(national) - 4) + national[-2:]
    return f"+{country} {hidden}" if country else hidden


def citizen(db: Session, crypto: Crypto, contact_id: str) -> Citizen | None:
    """The citizen behind a grievance, without their full number."""
    contact = db.get(Contact, contact_id)
    if contact is None:
        return None
    phone = phone_of(crypto, contact)
    return Citizen(contact.id, name_of(crypto, contact), mask(phone) if phone else None)


def map_url(location: Mapping[str, Any] | None) -> str | None:
    """An OpenStreetMap link with a marker at a shared point (None for a typed landmark)."""
    if not location:
        return None
    lat, lon = location.get("lat"), location.get("lon")
    if not isinstance(lat, int | float) or not isinstance(lon, int | float):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    query = urlencode({"mlat": f"{lat:.6f}", "mlon": f"{lon:.6f}"})
    return f"https://www.openstreetmap.org/?{query}#map={MAP_ZOOM}/{lat:.6f}/{lon:.6f}"


def transcript(db: Session, contact_id: str, account_id: str,
               filed_at: datetime) -> list[Message]:
    """The conversation that filed the grievance: the last messages up to the filing, and
    the reply that confirmed it; oldest first."""
    mine = (Message.contact_id == contact_id, Message.account_id == account_id)
    until = as_utc(filed_at)
    before = list(db.scalars(select(Message).where(*mine, Message.created_at <= until)
                             .order_by(Message.created_at.desc(), Message.id.desc())
                             .limit(TRANSCRIPT_LIMIT)))
    confirmed = db.scalars(select(Message).where(
        *mine, Message.direction == "out", Message.created_at > until,
        Message.created_at <= until + timedelta(seconds=CONFIRMATION_SECONDS))
        .order_by(Message.created_at, Message.id).limit(1)).first()
    rows = sorted(before, key=lambda m: (aware(m.created_at), m.id))
    return [*rows, confirmed] if confirmed is not None else rows


def media_of(db: Session, messages: Sequence[Message]) -> list[MediaObject]:
    """The attachments of these messages, in the order they came."""
    ids = [m.id for m in messages]
    if not ids:
        return []
    return list(db.scalars(select(MediaObject).where(MediaObject.message_id.in_(ids))
                           .order_by(MediaObject.created_at, MediaObject.id)))
