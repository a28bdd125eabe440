"""Telling a citizen their grievance moved, on the channel they used, in their language."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from bots.prompts import Msg, Param, Prompt
from services.accounts.models import ChannelAccount
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


def notify_citizen(db: Session, crypto: Crypto, *, tenant_id: str, contact_id: str,
                   account_id: str, parts: Sequence[Msg]) -> str | None:
    """Queue a notice to the citizen in their language on the account they wrote to; the
    outbox id, or None when they opted out or the account is gone or disabled."""
    contact = db.get(Contact, contact_id)
    account = db.get(ChannelAccount, account_id)
    if contact is None or contact.opted_out or account is None or not account.active:
        return None
    tenant = db.get_one(Tenant, tenant_id)
    language = contact.language or language_settings(db, tenant)[1]
    text = "\n".join(render_msg(part, language) for part in parts)
    return queue_message(db, crypto, account=account, contact=contact, text=text,
                         language=language, parts=render_parts(Prompt(tuple(parts)), language),
                         lane=Lane.NOTICE)
