"""Reading consent: may this contact be sent this purpose on this channel, one or in bulk.

A contact may be sent a purpose on a channel when they have not opted out (STOP, kept on the
contact) and the most specific word they gave says yes: (purpose, channel), then (purpose,
any channel), then (anything, channel); with no word at all, a purpose that needs no grant is
allowed and any other is not. `allowed_clause` is the same rule as SQL, for bulk queries that
select contacts (a campaign's audience): two or three indexed lookups per contact, no history.
"""

from __future__ import annotations

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
