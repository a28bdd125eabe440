"""Answering a synchronous channel's webhook (IVR): a turn whose replies go in the response.

`inbound` webhooks step the conversation (a retried one gets the logged replies again) and the
adapter renders the replies as its response (TwiML, a Passthru's status). `prompt` webhooks
(Exotel's Gather applet) step nothing: they get the call's current prompt, which is then marked
served; a call fetching a prompt before it has one starts its conversation first. Call ends
are logged and missed calls answered by SMS; both keep the adapter's own response.
"""

from __future__ import annotations

from channels.base import ChannelAdapter, ReplyContext
from channels.contract import (
    EventKind,
    InboundEvent,
    StatusUpdate,
    WebhookResponse,
    WebhookResult,
)
from channels.contract import OutboundMessage as Outbound
from services.accounts.models import ChannelAccount
from services.accounts.service import webhook_path
from services.context import AppContext
from services.conversation.runner import converse
from services.messaging.log import apply_status
from services.voice.calls import latest, numbered, outbound, serve
from services.voice.clips import Clips

CONVERSING = frozenset({EventKind.MESSAGE, EventKind.CALL_STARTED})


def _current(ctx: AppContext, account: ChannelAccount, adapter: ChannelAdapter,
             event: InboundEvent) -> tuple[Outbound, ...]:
    """The call's current prompt, marked served (the call starts if it has none yet)."""
    call = event.session or event.external_id
    for attempt in range(2):
        with ctx.sessions() as db:
            row = latest(db, account.id, call)
            if row is not None:
                serve(row)
                db.commit()
                return (outbound(ctx.crypto, row, event.sender),)
        if attempt == 0:
            start = InboundEvent(f"{call}:0", event.sender, event.recipient,
                                 kind=EventKind.CALL_STARTED, session=call)
            converse(ctx, account.id, account.tenant_id, adapter.medium.value, start)
    return ()


def answer(ctx: AppContext, account: ChannelAccount, adapter: ChannelAdapter, kind: str,
           result: WebhookResult) -> WebhookResponse:
    """Handle a synchronous channel's events; the adapter's response carries the replies."""
    context = ReplyContext(kind, ctx.settings.base_url + webhook_path(account),
                           Clips(ctx.settings, account.tenant_id))
    response = result.response
    outbox: list[str] = []
    for event in result.events:
        if isinstance(event, StatusUpdate):
            with ctx.sessions() as db:
                apply_status(db, db.get_one(ChannelAccount, account.id), event)
                db.commit()
            continue
        if kind == "prompt":
            response = adapter.respond(event, _current(ctx, account, adapter, event), context)
            continue
        with ctx.sessions() as db:
            event = numbered(db, account.id, event)
        handled = converse(ctx, account.id, account.tenant_id, adapter.medium.value, event)
        outbox.extend(handled.outbox_ids)
        if event.kind in CONVERSING:
            response = adapter.respond(event, handled.replies, context)
    if outbox:
        ctx.dispatcher.enqueue(outbox)
    return response
