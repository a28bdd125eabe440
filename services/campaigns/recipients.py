"""The small interface campaigns need from an audience, and from consent records.

An audience is any iterable of `Recipient` (an uploaded CSV, a query over contacts, bills or
grievances: services.campaigns.audience builds them, with this one type); exclusions answer
which recipients may not be sent to for a purpose: `OptedOut` (STOP) and `NoConsent` (the
consent rule of services.consent on every medium the campaign may use, STOP included),
combined by `AllOf` where more sources are wanted (`exclusions_for` is the one a campaign
uses). Campaigns only read these; they never parse a
CSV or write consent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import ColumnElement, String, any_, cast, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from channels.registry import adapter_class
from services.accounts.models import ChannelAccount
from services.consent.query import States, Verdict, decide, states_of
from services.contacts.models import Contact
from services.security.crypto import Crypto

LOOKUP = 5000
"""Hashes looked up in one query."""


@dataclass(frozen=True)
class Recipient:
    """One person to send to: an E.164 number and what the message is filled with."""

    phone: str
    """E.164."""
    language: str | None = None
    """A catalog language; None: the campaign's default."""
    name: str = ""
    variables: Mapping[str, str] = field(default_factory=dict)
    contact_id: str | None = None
    """The gateway's contact for the number, when it has one (the 32-hex `contacts.id`)."""
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
        for start in range(0, len(hashes), LOOKUP):
            among = _among(db, hashes[start:start + LOOKUP])
            found.update((h, "opted_out") for h in db.scalars(select(Contact.urn_hash).where(
                Contact.tenant_id == tenant_id, Contact.opted_out.is_(True), among)))
        return found


def _among(db: Session, hashes: Sequence[str]) -> ColumnElement[bool]:
    """Contacts whose URN hash is one of these (one array parameter on PostgreSQL)."""
    batch = list(hashes)
    if db.get_bind().dialect.name == "postgresql":
        return Contact.urn_hash == any_(cast(batch, ARRAY(String)))
    return Contact.urn_hash.in_(batch)


class NoConsent:
    """Recipients the consent rule (services.consent.query.decide) refuses the campaign's
    purpose on any medium the campaign may send on (its first step or a fallback): fail
    closed, a citizen who withdrew WhatsApp is not sent a campaign that may reach them there.
    A number the gateway has never seen has said nothing: it may be sent what needs no grant
    (transactional) and nothing that needs one (promotional, service explicit)."""

    def __init__(self, media: Sequence[str]) -> None:
        self.media = tuple(dict.fromkeys(media))

    def excluded(self, db: Session, *, tenant_id: str, purpose: str,
                 hashes: Sequence[str]) -> Mapping[str, str]:
        """Hash → `opted_out` or `no_consent` for those the rule refuses."""
        found: dict[str, str] = {}
        known: dict[str, tuple[str, bool]] = {}
        for start in range(0, len(hashes), LOOKUP):
            among = _among(db, hashes[start:start + LOOKUP])
            known.update((h, (cid, bool(out))) for cid, h, out in db.execute(
                select(Contact.id, Contact.urn_hash, Contact.opted_out).where(
                    Contact.tenant_id == tenant_id, among)))
        states = states_of(db, [cid for cid, _ in known.values()])
        stranger = self._verdict(False, {}, purpose)  # the same for every unknown number
        for digest in hashes:
            if digest not in known:
                if stranger is not None:
                    found[digest] = stranger
                continue
            contact_id, opted_out = known[digest]
            verdict = self._verdict(opted_out, states.get(contact_id, {}), purpose)
            if verdict is not None:
                found[digest] = verdict
        return found

    def _verdict(self, opted_out: bool, states: States, purpose: str) -> str | None:
        """Why the rule refuses one of the campaign's media, or None when all are allowed."""
        for medium in self.media:
            verdict = decide(opted_out, states, purpose, medium)
            if verdict is not Verdict.ALLOWED:
                return verdict.value
        return None


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


def media_of(db: Session, steps: Sequence[str]) -> list[str]:
    """The media of a campaign's step accounts, in step order (`whatsapp`, `sms`, `voice`)."""
    query = select(ChannelAccount.id, ChannelAccount.channel_type).where(
        ChannelAccount.id.in_(list(steps)))
    types: dict[str, str] = {account_id: kind for account_id, kind in db.execute(query)}
    return [adapter_class(types[a]).medium.value for a in steps if a in types]


def exclusions_for(db: Session, crypto: Crypto, steps: Sequence[str]) -> Exclusions:
    """What a campaign on these step accounts leaves out: STOP (`opted_out`) first, then
    consent (`no_consent`). `NoConsent` is the whole of it — the consent rule reads the STOP
    flag first, so it equals `AllOf([OptedOut(crypto), NoConsent(media)])` with one contacts
    query a batch instead of two."""
    return NoConsent(media_of(db, steps))


def urn_hash(crypto: Crypto, phone: str) -> str:
    """The keyed hash contacts are found by, for a phone number."""
    return crypto.lookup_hash(f"tel:{phone}")
