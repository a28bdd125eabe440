"""Reading consent: may this contact be sent this purpose on this channel, one or in bulk.

A contact may be sent a purpose on a channel when they have not opted out (STOP, kept on the
contact) and the most specific word they gave says yes: (purpose, channel), then (purpose,
any channel), then (anything, channel); with no word at all, a purpose that needs no grant is
allowed and any other is not. `allowed_clause` is the same rule as SQL, for bulk queries that
select contacts (a campaign's audience): two or three indexed lookups per contact, no history.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, func, literal, select, true
from sqlalchemy.orm import Session

from services.consent.models import ANY, Consent
from services.consent.purposes import channel_of, check_purpose, needs_grant
from services.contacts.models import Contact


def _state(contact_id: Any, purpose: str, channel: str) -> Any:
    """The granted flag of one (purpose, channel) of the contact, as a scalar subquery."""
    return (select(Consent.granted)
            .where(Consent.contact_id == contact_id, Consent.purpose == purpose,
                   Consent.channel == channel)
            .limit(1).scalar_subquery())


def allowed_clause(purpose: str, channel_type: str, contact: Any = Contact) -> ColumnElement[bool]:
    """A WHERE clause true for the rows of `contact` (the Contact entity or an alias of it in
    the query) that may be sent `purpose` on `channel_type` (a channel type or a medium)."""
    purpose, channel = check_purpose(purpose), channel_of(channel_type)
    chain = [_state(contact.id, purpose, channel)]
    if channel != ANY:
        chain.append(_state(contact.id, purpose, ANY))
    if purpose != ANY and channel != ANY:
        chain.append(_state(contact.id, ANY, channel))
    default = literal(not needs_grant(purpose))
    return and_(contact.opted_out.is_(False), func.coalesce(*chain, default) == true())


def excluded_clause(purpose: str, channel_type: str,
                    contact: Any = Contact) -> ColumnElement[bool]:
    """The opposite of `allowed_clause` (to count whom consent excludes)."""
    return ~allowed_clause(purpose, channel_type, contact)


def allowed(db: Session, tenant_id: str, contact_id: str, purpose: str,
            channel_type: str) -> bool:
    """Whether the tenant may send `purpose` to this contact on `channel_type`; False for a
    contact that is not the tenant's (or does not exist)."""
    found = db.scalar(select(literal(1)).select_from(Contact).where(
        Contact.id == contact_id, Contact.tenant_id == tenant_id,
        allowed_clause(purpose, channel_type)))
    return found is not None


class Verdict(StrEnum):
    """Whether a contact may be sent a purpose on a channel, and if not, why."""

    ALLOWED = "allowed"
    OPTED_OUT = "opted_out"
    """The citizen sent STOP (or staff opted them out)."""
    NO_CONSENT = "no_consent"
    """A withdrawal for this purpose or channel, or a purpose that needs a grant not given."""


States = Mapping[tuple[str, str], bool]
"""A contact's current consents: (purpose, channel) -> granted."""


def states_of(db: Session, contact_ids: Collection[str]) -> dict[str, dict[tuple[str, str], bool]]:
    """The current consents of many contacts in one query (a batch of an audience)."""
    found: dict[str, dict[tuple[str, str], bool]] = {}
    if not contact_ids:
        return found
    rows = db.execute(select(Consent.contact_id, Consent.purpose, Consent.channel,
                             Consent.granted).where(Consent.contact_id.in_(contact_ids)))
    for contact_id, purpose, channel, granted in rows:
        found.setdefault(contact_id, {})[(purpose, channel)] = bool(granted)
    return found


def decide(opted_out: bool, states: States, purpose: str, channel_type: str) -> Verdict:
    """`allowed_clause`'s rule in Python, for contacts whose states were read in a batch."""
    if opted_out:
        return Verdict.OPTED_OUT
    purpose, channel = check_purpose(purpose), channel_of(channel_type)
    for key in ((purpose, channel), (purpose, ANY), (ANY, channel)):
        if key in states and key != (ANY, ANY):
            return Verdict.ALLOWED if states[key] else Verdict.NO_CONSENT
    return Verdict.NO_CONSENT if needs_grant(purpose) else Verdict.ALLOWED
