"""One inbound message end to end: dedupe, contact, session, engine, outbox in one transaction."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import timedelta

from sqlalchemy.orm import Session as DbSession

from bots.actions import Call, Reply, SetLanguage, SetOptOut
from bots.context import BotContext
from bots.events import Event, ServiceResult, UserInput
from bots.session import Session
from channels.contract import InboundEvent
from channels.registry import adapter_class
from services.accounts.models import ChannelAccount
from services.contacts.models import Contact
from services.contacts.service import get_or_create, urn_for
from services.context import AppContext
from services.conversation.operations import OpContext, OperationError, run
from services.conversation.render import render_parts, render_prompt
from services.db.base import aware, utcnow
from services.grievances.builtin import BuiltinRegistry
from services.messaging.log import record_inbound
from services.messaging.outbox import queue_message
from services.tenancy.models import Tenant

MAX_CALLS = 10
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Handled:
    """What happened to one inbound event."""

    duplicate: bool
    outbox_ids: tuple[str, ...] = ()


def _resumed(contact: Contact, ctx: AppContext) -> bool:
    """Whether a missing session means one expired recently (so we say so)."""
    if contact.last_seen_at is None or contact.language is None:
        return False
    window = timedelta(seconds=ctx.settings.resume_window_seconds)
    return utcnow() - aware(contact.last_seen_at) < window


def _queue_replies(db: DbSession, ctx: AppContext, account: ChannelAccount, contact: Contact,
                   replies: list[tuple[Reply, str]]) -> list[str]:
    """Queue one turn's replies as a single message, so they arrive together and in order."""
    if not replies:
        return []
    language = replies[-1][1]
    rendered = [render_prompt(reply.prompt, language) for reply, _ in replies]
    text = "\n\n".join(part[0] for part in rendered if part[0])
    _, choices, ask = rendered[-1]
    parts = [part for reply, _ in replies for part in render_parts(reply.prompt, language)]
    return [queue_message(db, ctx.crypto, account=account, contact=contact, text=text,
                          choices=choices, ask=ask, language=language, parts=parts)]


def converse(ctx: AppContext, account_id: str, tenant_id: str, medium: str,
             event: InboundEvent) -> Handled:
    """Handle one inbound event under the conversation's lock; commit, then save the session."""
    urn = urn_for(medium, event.sender)
    key = f"{tenant_id}:{ctx.crypto.lookup_hash(urn)}"
    with ctx.store.lock(key), ctx.sessions() as db:
        account = db.get_one(ChannelAccount, account_id)
        tenant = db.get_one(Tenant, account.tenant_id)
        contact = get_or_create(db, ctx.crypto, tenant.id, urn)
        if record_inbound(db, ctx.crypto, account, contact, event) is None:
            db.rollback()
            return Handled(duplicate=True)
        stored = ctx.store.get(key)
        session = Session.from_dict(stored) if stored else Session()
        master = ctx.master.get(db, tenant.id)
        if contact.language is None and len(master.languages) == 1:
            contact.language = master.languages[0].id  # nothing to choose between
        caps = adapter_class(account.channel_type).capabilities
        bot_ctx = BotContext(master.languages, master.categories, master.localities,
                             language=contact.language,
                             resumed=stored is None and _resumed(contact, ctx),
                             page_size=caps.page_size, can_locate=caps.location,
                             can_photo=caps.photo)
        op = OpContext(tenant, contact, account, medium, BuiltinRegistry(db, ctx.crypto))
        location = (event.location.latitude, event.location.longitude) if event.location else None
        pending: list[Event] = [UserInput(event.text, event.payload, location, event.media_urls)]
        replies: list[tuple[Reply, str]] = []
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
                elif isinstance(action, SetOptOut):
                    contact.opted_out = action.opted_out
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
        outbox = _queue_replies(db, ctx, account, contact, replies)
        contact.last_seen_at = utcnow()
        db.commit()
        ctx.store.set(key, session.to_dict())
    return Handled(duplicate=False, outbox_ids=tuple(outbox))
