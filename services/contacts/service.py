"""Finding or creating a contact by URN without storing the URN in clear."""

from __future__ import annotations

import phonenumbers
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.contacts.models import Contact
from services.security.crypto import Crypto

SCHEMES = {"sms": "tel", "voice": "tel", "whatsapp": "tel", "webchat": "web", "telegram": "tg"}


def normalize_phone(number: str, region: str = "IN") -> str:
    """E.164 form of a phone number (Indian numbers may come without +91)."""
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return number.strip()
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def urn_for(medium: str, address: str) -> str:
    """The URN of an address: phone-based channels share `tel:`, so language follows."""
    scheme = SCHEMES.get(medium, medium)
    bare = address[len(scheme) + 1:] if address.startswith(f"{scheme}:") else address
    if scheme == "tel":
        bare = normalize_phone(bare)
    return f"{scheme}:{bare}"


def get_or_create(db: Session, crypto: Crypto, tenant_id: str, urn: str) -> Contact:
    """The tenant's contact for a URN, created on first contact (race-safe); found under any
    ring key's hash, and re-hashed under the current key when found under an older one."""
    digest = crypto.lookup_hash(urn)
    query = select(Contact).where(Contact.tenant_id == tenant_id,
                                  Contact.urn_hash.in_(crypto.lookup_hashes(urn)))
    found = db.scalar(query)
    if found is not None:
        if found.urn_hash != digest:
            found.urn_hash = digest
            found.urn_enc = crypto.reencrypt(found.urn_enc)
        return found
    contact = Contact(tenant_id=tenant_id, urn_hash=digest, urn_enc=crypto.encrypt(urn))
    try:
        with db.begin_nested():
            db.add(contact)
    except IntegrityError:
        existing = db.scalar(query)
        assert existing is not None
        return existing
    return contact


def address_of(crypto: Crypto, contact: Contact) -> str:
    """The channel address (phone number, visitor id) inside a contact's URN."""
    return crypto.decrypt(contact.urn_enc).split(":", 1)[1]


MAX_NAME = 100


def remember_name(crypto: Crypto, contact: Contact, name: str | None) -> None:
    """Keep the name the citizen's channel gave (the latest wins); nothing when none came."""
    clean = " ".join((name or "").split())[:MAX_NAME]
    if not clean or (contact.name_enc and crypto.decrypt(contact.name_enc) == clean):
        return
    contact.name_enc = crypto.encrypt(clean)


def name_of(crypto: Crypto, contact: Contact) -> str | None:
    """The citizen's name in clear, where their channel gave one."""
    return crypto.decrypt(contact.name_enc) if contact.name_enc else None
