"""Telling a citizen their grievance moved, on the channel they used, in their language.

A call cannot be placed through the outbox (an IVR account only answers in its webhook), so a
caller is told by SMS: to the calling number, on the tenant's SMS account.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from bots.prompts import Msg, Param, Prompt
from channels.contract import Medium
from channels.errors import ConfigError
from channels.registry import adapter_class
from services.accounts.models import ChannelAccount
from services.accounts.service import messaging_account
from services.contacts.models import Contact
from services.conversation.render import render_msg, render_parts
from services.grievances.registry import GrievanceRegistry, GrievanceView
from services.messaging.lanes import Lane
from services.messaging.outbox import queue_message
from services.security.crypto import Crypto
from services.tenancy.models import Tenant
from services.tenancy.service import language_settings


def notify_status(db: Session, crypto: Crypto, registry: GrievanceRegistry,
                  view: GrievanceView) -> str | None:
    """Queue the status message; the outbox id, or None with nobody to tell (or opted out)."""
    origin = registry.contact_of(public_id=view.id)
    if origin is None:
        return None
    note = view.history[-1].note if view.history else None
    params: dict[str, Param] = {"id": view.id, "status": Msg("status." + view.status)}
    parts = [Msg("notify.status", params)]
    if note:
        parts.append(Msg("notify.note", {"note": note}))
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
