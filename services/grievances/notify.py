"""Telling a citizen their grievance moved, on the channel they used, in their language.

A call cannot be placed through the outbox (an IVR account only answers in its webhook), so a
caller is told by SMS: to the calling number, on the tenant's SMS account.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy.orm import Session

from bots.prompts import Date, Msg, Param, Prompt
from channels.contract import Medium
from channels.errors import ConfigError
from channels.registry import adapter_class
from services.accounts.models import ChannelAccount
from services.accounts.service import messaging_account
from services.contacts.models import Contact
from services.conversation.render import render_msg, render_parts
from services.grievances.registry import GrievanceRegistry, GrievanceView, HistoryEntry
from services.messaging.lanes import Lane
from services.messaging.outbox import queue_message
from services.security.crypto import Crypto
from services.tenancy.models import Tenant
from services.tenancy.service import language_settings, reopen_days


def note_parts(entry: HistoryEntry) -> list[Msg]:
    """What the citizen reads of an officer's note: a standard note in their language, or the
    office's own words, marked as theirs (they are not translated)."""
    if entry.note_key:
        return [Msg("notify.standard_note", {"note": Msg("note." + entry.note_key[5:])})]
    return [Msg("notify.office_note", {"note": entry.note})] if entry.note else []


def notify_status(db: Session, crypto: Crypto, registry: GrievanceRegistry,
                  view: GrievanceView) -> str | None:
    """Queue the message for the change just made, when the status the citizen sees changed
    (a reassignment, say, tells them nothing new); the outbox id, or None with nothing to say
    or nobody to tell (or opted out). A resolution invites a reopen (within the city's
    window) and a rating."""
    origin = registry.contact_of(public_id=view.id)
    last = view.history[-1] if view.history else None
    if origin is None or last is None or last.from_status == last.to_status:
        return None
    params: dict[str, Param] = {"id": view.id, "status": Msg("status." + view.status)}
    parts = [Msg("notify.status", params), *note_parts(last)]
    if view.status == "resolved":
        parts += feedback_invite(db, view)
    return notify_citizen(db, crypto, tenant_id=view.tenant_id,
                          contact_id=origin["contact_id"], account_id=origin["account_id"],
                          parts=parts)


def _sending_account(db: Session, tenant_id: str,
                     account: ChannelAccount | None) -> ChannelAccount | None:
    """The account a notice goes out on: the citizen's own, or for a caller (an IVR account
    answers only inside its webhook) the tenant's SMS account; None when there is none or the
    channel type is gone from this deployment."""
    if account is None:
        return None
    try:
        synchronous = adapter_class(account.channel_type).capabilities.synchronous
    except ConfigError:
        return None
    return messaging_account(db, tenant_id, Medium.SMS) if synchronous else account

def feedback_invite(db: Session, view: GrievanceView) -> list[Msg]:
    """The resolution notice's invitation: say "not fixed" until the window closes, and rate."""
    tenant = db.get_one(Tenant, view.tenant_id)
    days = reopen_days(db, tenant)
    track = Msg("menu.track")
    if days and view.resolved_at is not None:
        until = Date(view.resolved_at + timedelta(days=days))
        return [Msg("notify.reopen_or_rate", {"track": track, "id": view.id, "until": until})]
    return [Msg("notify.rate", {"track": track, "id": view.id})]


def notify_citizen(db: Session, crypto: Crypto, *, tenant_id: str, contact_id: str,
                   account_id: str, parts: Sequence[Msg]) -> str | None:
    """Queue a notice to the citizen in their language on the account they wrote to (a
    caller's on the tenant's SMS account); the outbox id, or None when they opted out or there
    is no active account to send it on."""
    contact = db.get(Contact, contact_id)
    account = _sending_account(db, tenant_id, db.get(ChannelAccount, account_id))
    if contact is None or contact.opted_out or account is None or not account.active:
        return None
    tenant = db.get_one(Tenant, tenant_id)
    language = contact.language or language_settings(db, tenant)[1]
    text = "\n".join(render_msg(part, language) for part in parts)
    return queue_message(db, crypto, account=account, contact=contact, text=text,
                         language=language, parts=render_parts(Prompt(tuple(parts)), language),
                         lane=Lane.NOTICE)
