"""The small interface campaigns need from an audience, and from consent records.

An audience is any iterable of `Recipient` (an uploaded CSV, a query over contacts, bills or
grievances: services.campaigns.audience builds them); consent is anything answering which
recipients may not be sent to for a purpose and channel (services.consent keeps the records).
Campaigns only read these; they never parse a CSV or write consent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import String, any_, cast, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from services.contacts.models import Contact
from services.security.crypto import Crypto


@dataclass(frozen=True)
class Recipient:
    """One person to send to: an E.164 number and what the message is filled with."""

    phone: str
    language: str
    name: str = ""
    variables: Mapping[str, str] = field(default_factory=dict)
    contact_id: str | None = None
    channel: str | None = None
    """A medium they are known to use (`whatsapp`, `sms`, `voice`): the campaign starts them
    on its first step of that medium instead of its first step."""


Audience = Iterable[Recipient]


class Exclusions(Protocol):
    """Which recipients must not be sent this campaign, and why (`opted_out`, `no_consent`)."""

    def excluded(self, db: Session, *, tenant_id: str, purpose: str,
                 hashes: Sequence[str]) -> Mapping[str, str]:
        """Lookup hash (of `tel:<E.164>`) → reason, for those left out."""


class OptedOut:
    """The contacts who said STOP (contacts.opted_out), found by their URN's keyed hash."""

    def __init__(self, crypto: Crypto) -> None:
        self.crypto = crypto

    def excluded(self, db: Session, *, tenant_id: str, purpose: str,
                 hashes: Sequence[str]) -> Mapping[str, str]:
        """Opted-out contacts of the tenant among these hashes."""
        found: dict[str, str] = {}
        postgres = db.get_bind().dialect.name == "postgresql"
        for start in range(0, len(hashes), 5000):
            batch = list(hashes[start:start + 5000])
            among = (Contact.urn_hash == any_(cast(batch, ARRAY(String))) if postgres
                     else Contact.urn_hash.in_(batch))  # one array parameter, not 5,000
            found.update((h, "opted_out") for h in db.scalars(select(Contact.urn_hash).where(
                Contact.tenant_id == tenant_id, Contact.opted_out.is_(True), among)))
        return found


@dataclass
class AllOf:
    """Several exclusion sources; the first reason found for a recipient wins."""

    sources: Sequence[Exclusions]

    def excluded(self, db: Session, *, tenant_id: str, purpose: str,
                 hashes: Sequence[str]) -> Mapping[str, str]:
        """Every source's exclusions, earlier sources first."""
        found: dict[str, str] = {}
        for source in reversed(self.sources):
            found.update(source.excluded(db, tenant_id=tenant_id, purpose=purpose,
                                         hashes=hashes))
        return found


def urn_hash(crypto: Crypto, phone: str) -> str:
    """The keyed hash contacts are found by, for a phone number."""
    return crypto.lookup_hash(f"tel:{phone}")
