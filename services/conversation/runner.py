"""One inbound event end to end: dedupe, contact, session, engine, replies in one transaction.

Replies go to the outbox, to be delivered by workers. On a synchronous channel (IVR) they go
back in the webhook's own response instead: logged as delivered under the answer's event id and
returned (a retried webhook gets the logged replies again, the conversation steps once).

Calls add three cases. A call is a conversation of its own (its session is keyed by the call)
that starts afresh at the language choice or the main menu. A missed call starts the
conversation with the caller by SMS (or WhatsApp: `missed_call_reply_channel` on the voice
account), through that account's outbox. A call's end is only logged. And whatever a caller is
told by voice that they need to keep (a grievance number) is also sent to them by SMS.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from bots.actions import Call, Reply, SetLanguage, SetOptOut
from bots.context import BotContext
from bots.events import Event, ServiceResult, UserInput
from bots.prompts import Msg, Prompt
from bots.session import Session
from channels.contract import (
    Ask,
    Choice,
    EventKind,
    InboundEvent,
    Medium,
    MessagePart,
    RateLimit,
)
from channels.contract import OutboundMessage as Outbound
from channels.registry import adapter_class
from i18n.sms import sms_length
from services.accounts.models import ChannelAccount
from services.accounts.service import adapter_for, messaging_account
from services.consent.record import opt_out
from services.contacts.models import Contact
from services.contacts.service import address_of, get_or_create, remember_name, urn_for
from services.context import AppContext
from services.conversation.contact import with_contact
from services.conversation.domains import domain_data, features_of, image_url
from services.conversation.operations import OpContext, OperationError, run
from services.conversation.render import Measure, fit, render_msg, render_parts, worded_for
from services.db.base import aware, utcnow
from services.inbox.record import conversation_key
from services.inbox.status import mark_done
from services.media.copier import register
from services.messaging.log import record_inbound
from services.messaging.outbox import queue_message
from services.routing.notices import queued_notices
from services.tenancy.models import Tenant
from services.voice.calls import log_reply, replies_to

MAX_CALLS = 10
OPEN = "__open__"
"""A payload no option has: the engine answers with the language choice or the main menu."""
CONFIRM_IN_WRITING = frozenset({"grievance.filed"})
"""Messages a caller hears that are also sent to them by SMS."""
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Handled:
    """What happened to one inbound event."""

    duplicate: bool
    outbox_ids: tuple[str, ...] = ()
    replies: tuple[Outbound, ...] = ()
    """Replies for the webhook response (synchronous channels), also for a duplicate."""
    media_ids: tuple[str, ...] = ()
    """Attachments recorded in the turn, for the worker to copy once it committed."""
    notice_ids: tuple[str, ...] = ()
    """Staff SMS the turn queued (the officer a filing was routed to), lane `notice`."""


Turn = list[tuple[Reply, str]]
"""One turn's replies, each with the language it is rendered in."""


def _resumed(contact: Contact, ctx: AppContext) -> bool:
    """Whether a missing session means one expired recently (so we say so)."""
    if contact.last_seen_at is None or contact.language is None:
        return False
    window = timedelta(seconds=ctx.settings.resume_window_seconds)
    return utcnow() - aware(contact.last_seen_at) < window


def sms_measure(channel_type: str) -> Measure | None:
    """Segments a text costs as this channel sends it, on SMS (None elsewhere)."""
    cls = adapter_class(channel_type)
    if cls.medium is not Medium.SMS:
        return None

    def measure(text: str, choices: tuple[Choice, ...], ask: Ask) -> int:
        """Segments of the text with its choices as the adapter renders them."""
        return sms_length(cls.render_text(Outbound("", text, choices, ask))).segments
    return measure


def _joined(replies: Turn, channel_type: str
            ) -> tuple[str, tuple[Choice, ...], Ask, str, list[MessagePart]]:
    """One turn's replies as one message (fitted to SMS segments there, worded for unnumbered
    buttons where the channel's menus have no numbers): text, choices and ask of the last,
    language, parts."""
    language = replies[-1][1]
    numbered = adapter_class(channel_type).capabilities.numbered_menus
    done = fit([worded_for(reply.prompt, numbered) for reply, _ in replies], language,
               sms_measure(channel_type))
    return done.text, done.choices, done.ask, language, done.parts


def _picture(db: DbSession, ctx: AppContext, account: ChannelAccount,
             replies: Turn) -> str | None:
    """The link to the turn's picture (its last), where the channel shows pictures."""
    images = [reply.prompt.image for reply, _ in replies if reply.prompt.image is not None]
    if not images or not adapter_class(account.channel_type).capabilities.images:
        return None
    return image_url(db, ctx, images[-1])


def _queue_replies(db: DbSession, ctx: AppContext, account: ChannelAccount, contact: Contact,
                   replies: Turn) -> list[str]:
    """Queue one turn's replies as a single message, so they arrive together and in order."""
    if not replies:
        return []
    text, choices, ask, language, parts = _joined(replies, account.channel_type)
    return [queue_message(db, ctx.crypto, account=account, contact=contact, text=text,
                          choices=choices, ask=ask, language=language, parts=parts,
                          media_url=_picture(db, ctx, account, replies))]


def _log_replies(db: DbSession, ctx: AppContext, account: ChannelAccount, contact: Contact,
                 replies: Turn, external_id: str) -> tuple[Outbound, ...]:
    """Log one turn's replies as a single delivered message and return it for the response."""
    if not replies:
        return ()
    text, choices, ask, language, parts = _joined(replies, account.channel_type)
    message = Outbound(to=address_of(ctx.crypto, contact), text=text, choices=choices, ask=ask,
                       language=language, parts=tuple(parts))
    row = log_reply(db, ctx.crypto, account=account, contact=contact, message=message,
                    external_id=external_id)
    return (replace(message, reference=row.id),)


def _step(ctx: AppContext, db: DbSession, account: ChannelAccount, tenant: Tenant,
          contact: Contact, medium: str, session: Session, first: UserInput,
          resumed: bool) -> tuple[Session, Turn]:
    """Run the engine on one input, and on the results of the service calls it makes."""
    master = ctx.master.get(db, tenant.id)
    if contact.language is None and len(master.languages) == 1:
        contact.language = master.languages[0].id  # nothing to choose between
    caps = adapter_class(account.channel_type).capabilities
    bot_ctx = BotContext(master.languages, domain_data(master),
                         features=features_of(db, ctx, tenant),
                         language=contact.language, default_language=master.default_language,
                         resumed=resumed,
                         page_size=caps.page_size, can_locate=caps.location,
                         location_button=caps.location_button,
                         can_photo=caps.photo, required=master.required)
    op = OpContext(tenant, contact, account, medium, ctx.grievances(db, tenant.id), app=ctx)
    pending: list[Event] = [first]
    replies: Turn = []
    calls = 0
    while pending:
        step = ctx.bot.step(session, pending.pop(0), bot_ctx)
        session = step.session
        for action in step.actions:
            if isinstance(action, Reply):
                replies.append((action, contact.language or master.default_language))
            elif isinstance(action, SetLanguage):
                contact.language = action.language
                bot_ctx = replace(bot_ctx, language=action.language)
            elif isinstance(action, SetOptOut):  # recorded as consent, in this turn
                opt_out(db, contact, opted_out=action.opted_out,
                        channel_type=account.channel_type)
            elif isinstance(action, Call):
                calls += 1
                if calls > MAX_CALLS:
                    log.error("flow %s made more than %d calls in one turn; dropped %s",
                              session.flow, MAX_CALLS, action.op)
                    continue
                try:
                    data = run(action.op, op, action.args)
                    pending.append(ServiceResult(action.op, data))
                except OperationError as exc:
                    pending.append(ServiceResult(action.op, error=exc.code))
    return session, with_contact(db, tenant, replies)


def _in_writing(db: DbSession, ctx: AppContext, tenant_id: str, contact: Contact,
                replies: Turn) -> tuple[list[str], Turn]:
    """Queue an SMS of what a caller must keep (a grievance number) and tell them so."""
    keep = [(part, language) for reply, language in replies for part in reply.prompt.parts
            if part.key in CONFIRM_IN_WRITING]
    sms = messaging_account(db, tenant_id, Medium.SMS) if keep and not contact.opted_out else None
    if sms is None:
        return [], replies
    outbox = [queue_message(db, ctx.crypto, account=sms, contact=contact,
                            text=render_msg(part, language), language=language,
                            parts=render_parts(Prompt((part,)), language))
              for part, language in keep]
    noted: Turn = []
    for reply, language in replies:
        parts: list[Msg] = []
        for part in reply.prompt.parts:
            parts += [part, Msg("ivr.sms_copy")] if part.key in CONFIRM_IN_WRITING else [part]
        noted.append((Reply(replace(reply.prompt, parts=tuple(parts))), language))
    return outbox, noted


def converse(ctx: AppContext, account_id: str, tenant_id: str, medium: str,
             event: InboundEvent) -> Handled:
    """Handle one inbound event under the conversation's lock (the synchronous IVR path)."""
    urn = urn_for(medium, event.sender)
    if event.kind is EventKind.MISSED_CALL:
        key = f"{tenant_id}:{ctx.crypto.lookup_hash(urn)}"
        return _missed_call(ctx, account_id, urn, key, event)
    key = conversation_key(ctx.crypto, tenant_id, medium, event)
    with ctx.store.lock(key):
        return turn(ctx, account_id, medium, event, key)


def account_and_tenant(db: DbSession, account_id: str) -> tuple[ChannelAccount, Tenant]:
    """The account and its city, in one round trip."""
    row = db.execute(select(ChannelAccount, Tenant)
                     .join(Tenant, Tenant.id == ChannelAccount.tenant_id)
                     .where(ChannelAccount.id == account_id)).one()
    return row[0], row[1]


def turn(ctx: AppContext, account_id: str, medium: str, event: InboundEvent, key: str,
         inbox_id: str | None = None) -> Handled:
    """One event's whole turn in one transaction; the caller holds the conversation.

    With `inbox_id` (a worker running a recorded event) the inbox row is marked done in the
    same transaction, so a turn interrupted anywhere is done again, once, from the start.
    """
    urn = urn_for(medium, event.sender)
    with ctx.sessions() as db:
        account, tenant = account_and_tenant(db, account_id)
        contact = get_or_create(db, ctx.crypto, tenant.id, urn)
        cls = adapter_class(account.channel_type)
        synchronous = cls.capabilities.synchronous
        if inbox_id is not None and not mark_done(db, inbox_id):
            db.rollback()
            return Handled(duplicate=True)
        logged = record_inbound(db, ctx.crypto, account, contact, event)
        if logged is None:
            again = (replies_to(db, ctx.crypto, account.id, event.external_id,
                                address_of(ctx.crypto, contact)) if synchronous else ())
            db.rollback()
            return Handled(duplicate=True, replies=again)
        media = register(db, ctx.crypto, account, logged, event.media_urls)
        remember_name(ctx.crypto, contact, event.sender_name)
        if event.kind is EventKind.CALL_ENDED:
            db.commit()  # logged with its final status; the conversation is not stepped
            return Handled(duplicate=False)
        started = event.kind is EventKind.CALL_STARTED
        stored = None if started else ctx.store.get(key)
        session = Session.from_dict(stored) if stored else Session()
        location = (event.location.latitude, event.location.longitude) if event.location else None
        first = (UserInput(payload=OPEN) if started
                 else UserInput(event.text, event.payload, location, event.media_urls))
        resumed = stored is None and not started and _resumed(contact, ctx)
        session, replies = _step(ctx, db, account, tenant, contact, medium, session, first,
                                 resumed)
        outbox: list[str] = []
        answer: tuple[Outbound, ...] = ()
        if synchronous:
            if cls.medium is Medium.VOICE:
                outbox, replies = _in_writing(db, ctx, tenant.id, contact, replies)
            answer = _log_replies(db, ctx, account, contact, replies, event.external_id)
        else:
            outbox = _queue_replies(db, ctx, account, contact, replies)
        contact.last_seen_at = utcnow()
        db.commit()
        ctx.store.set(key, session.to_dict())
        notices = queued_notices(db)
    return Handled(duplicate=False, outbox_ids=tuple(outbox), replies=answer,
                   media_ids=tuple(media), notice_ids=notices)


def _first_missed_call(ctx: AppContext, key: str) -> bool:
    """Whether this caller's missed call is the first in the window (each reply costs an SMS;
    a limiter outage answers no: better one missed reply than a pumped bill)."""
    window = RateLimit(1, ctx.settings.missed_call_reply_seconds)
    return ctx.limiter.acquire(f"missed:{key}", window) == 0.0


def _missed_call(ctx: AppContext, account_id: str, urn: str, key: str,
                 event: InboundEvent) -> Handled:
    """Start the conversation with a missed caller on the tenant's SMS (or WhatsApp) account."""
    with ctx.store.lock(key), ctx.sessions() as db:
        account, tenant = account_and_tenant(db, account_id)
        contact = get_or_create(db, ctx.crypto, tenant.id, urn)
        if record_inbound(db, ctx.crypto, account, contact, event) is None:
            db.rollback()
            return Handled(duplicate=True)
        wanted = str(adapter_for(ctx.crypto, account).config.get("missed_call_reply_channel")
                     or Medium.SMS.value)
        medium = Medium(wanted) if wanted in {m.value for m in Medium} else Medium.SMS
        reply_account = messaging_account(db, tenant.id, medium)
        why = None
        if contact.opted_out:
            why = "caller opted out"
        elif reply_account is None:
            why = f"no {medium} account"
        elif not _first_missed_call(ctx, key):
            why = "answered within the window"
        if reply_account is None or why is not None:
            log.warning("missed call on account %s not answered: %s", account.id, why)
            db.commit()
            return Handled(duplicate=False)
        session, replies = _step(ctx, db, reply_account, tenant, contact, medium.value,
                                 Session(), UserInput(payload=OPEN), resumed=False)
        outbox = _queue_replies(db, ctx, reply_account, contact, replies)
        contact.last_seen_at = utcnow()
        db.commit()
        ctx.store.set(key, session.to_dict())
    return Handled(duplicate=False, outbox_ids=tuple(outbox))
