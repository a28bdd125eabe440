"""Telling a staff member a grievance is now theirs: an SMS over the city's SMS account; or,
when no SMS can go (no phone number, no SMS account, STOP), an e-mail to their address
(services.mail); with neither, a notice only recorded and logged. The SMS is handed to the
dispatcher by whoever commits the transaction (`queued_notices`); e-mails go with the mail
sweep."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from bots.prompts import Date, Localized, Msg, Prompt
from channels.contract import Medium
from channels.errors import ConfigError
from channels.registry import adapter_class
from services.accounts.models import ChannelAccount
from services.contacts.service import get_or_create
from services.conversation.render import render_msg, render_parts
from services.db.base import aware
from services.grievances.models import Grievance
from services.mail.queue import queue_email
from services.messaging.lanes import Lane
from services.messaging.outbox import queue_message
from services.routing.models import StaffNotice
from services.security.crypto import Crypto
from services.staff.models import StaffMember
from services.tenancy.models import Category, Locality, Tenant
from services.tenancy.service import language_settings

log = logging.getLogger(__name__)
QUEUED = "staff_notice_outbox"
"""Where a session keeps the outbox ids of the staff SMS it queued, until asked for them."""


def sms_account(db: Session, tenant_id: str) -> ChannelAccount | None:
    """The tenant's first active SMS account that sends through the outbox."""
    for row in db.scalars(select(ChannelAccount).where(
            ChannelAccount.tenant_id == tenant_id, ChannelAccount.active.is_(True))
            .order_by(ChannelAccount.created_at, ChannelAccount.id)):
        try:
            cls = adapter_class(row.channel_type)
        except ConfigError:
            continue  # a channel type this deployment no longer has
        if cls.medium is Medium.SMS and not cls.capabilities.synchronous:
            return row
    return None


def assigned_message(db: Session, g: Grievance) -> Msg:
    """What a new holder reads when a grievance is assigned: number, category, place, due."""
    category = db.get_one(Category, g.category_id)
    locality = db.get_one(Locality, g.locality_id)
    return Msg("staff.assigned", {"id": g.public_id, "category": Localized(dict(category.names)),
                                  "locality": Localized(dict(locality.names)),
                                  "due": Date(aware(g.due_at))})


def escalated_message(db: Session, g: Grievance) -> Msg:
    """What the new holder reads: the number, category, place and the missed due date."""
    category = db.get_one(Category, g.category_id)
    locality = db.get_one(Locality, g.locality_id)
    return Msg("staff.escalated", {"id": g.public_id, "category": Localized(dict(category.names)),
                                   "locality": Localized(dict(locality.names)),
                                   "due": Date(aware(g.due_at))})


def _email(db: Session, crypto: Crypto, member: StaffMember, g: Grievance, message: Msg,
           language: str) -> str | None:
    """Queue the notice as an e-mail when the member has an address (sent by the sweepers over
    SMTP; without an SMTP host it waits, retried, and a development run only logs it)."""
    if member.email_enc is None:
        return None
    subject = render_msg(Msg("staff.email_subject", {"id": g.public_id}), language)
    return queue_email(db, crypto, tenant_id=g.tenant_id, staff_id=member.id,
                       to=crypto.decrypt(member.email_enc), subject=subject,
                       body=render_msg(message, language), language=language)


def notify_staff(db: Session, crypto: Crypto, *, member: StaffMember, g: Grievance,
                 kind: str, level: int, message: Msg) -> StaffNotice:
    """Queue the SMS when possible, else the e-mail, and record the notice either way (same
    transaction)."""
    # Reached neither way (no phone, no e-mail): nothing to look up, only the record.
    reachable = member.phone_enc is not None or member.email_enc is not None
    account = sms_account(db, g.tenant_id) if member.phone_enc is not None else None
    language = member.language or (
        language_settings(db, db.get_one(Tenant, g.tenant_id))[1] if reachable else "en")
    outbox_id = email_id = None
    why = "no phone number" if member.phone_enc is None else "no SMS account"
    if member.phone_enc is not None and account is not None:
        contact = get_or_create(db, crypto, g.tenant_id, "tel:" + crypto.decrypt(member.phone_enc))
        if contact.opted_out:
            why = "opted out"
        else:
            outbox_id = queue_message(db, crypto, account=account, contact=contact,
                                      text=render_msg(message, language), language=language,
                                      parts=render_parts(Prompt((message,)), language),
                                      lane=Lane.NOTICE)
            db.info.setdefault(QUEUED, []).append(outbox_id)
    if outbox_id is None:
        email_id = _email(db, crypto, member, g, message, language)
    if outbox_id is None and email_id is None:
        log.warning("%s notice of %s to staff member %s recorded only: %s", kind, g.public_id,
                    member.id, why)
    channel = "sms" if outbox_id else "email" if email_id else "none"
    notice = StaffNotice(tenant_id=g.tenant_id, staff_id=member.id, grievance_id=g.id,
                         kind=kind, level=level, channel=channel,
                         outbox_id=outbox_id or email_id)
    db.add(notice)
    db.flush()
    return notice


def queued_notices(db: Session) -> tuple[str, ...]:
    """The staff SMS this session queued since it was last asked, for the caller to hand to
    the dispatcher (lane `notice`) once it committed, so the holder is told at once rather
    than at the next outbox sweep. An id whose row a rolled-back savepoint took away is
    skipped by delivery (nothing to claim)."""
    return tuple(db.info.pop(QUEUED, ()))
