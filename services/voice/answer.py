"""Answering a synchronous channel's webhook (IVR): a turn whose replies go in the response.

`inbound` webhooks step the conversation (a retried one gets the logged replies again) and the
adapter renders the replies as its response (TwiML, a Passthru's status). `prompt` webhooks
(Exotel's Gather applet) step nothing: they get the call's current prompt, which is then marked
served; a call fetching a prompt before it has one starts its conversation first. Call ends
are logged and missed calls answered by SMS; both keep the adapter's own response. Call
statuses update the message log and, for a call a campaign placed, its campaign row
(services.campaigns.status: delivered, or on to the campaign's next step).

Menus are said a voice page at a time (`channels.voice.pages`: at most five options, the
caller's language first in the language menu): a key is turned here into the option it picks
on the page the caller heard, and the key to the next page moves the page on without a turn.

*No input* (a prompt that timed out with nothing pressed) steps nothing either: it is counted
on the current prompt, and the adapter says it again or ends the call (`ReplyContext.no_input`).
A call start arriving after prompts were served is a provider's no-input without digits
(Exotel's Gather may send none), not a new call. A recording arrives without text and is named
here, `ivr.recording` in the language of the prompt it answers; its URL stays in the event's
media, copied into the media store later (docs/media.md).
"""

from __future__ import annotations

from dataclasses import replace

from channels.base import ChannelAdapter, ReplyContext
from channels.contract import (
    EventKind,
    InboundEvent,
    StatusUpdate,
    WebhookResponse,
    WebhookResult,
)
from channels.contract import OutboundMessage as Outbound
from channels.voice import NEXT, keys
from i18n import KNOWN, translate
from services.accounts.models import ChannelAccount
from services.accounts.service import webhook_path
from services.campaigns.status import apply_campaign_status
from services.context import AppContext
from services.conversation.runner import converse
from services.messaging.lanes import Lane
from services.messaging.log import apply_status
from services.voice.announce import outbound_call
from services.voice.calls import (
    latest,
    no_input,
    note_no_input,
    numbered,
    outbound,
    page_of,
    serve,
    served,
    turn_page,
)
from services.voice.clips import Clips

CONVERSING = frozenset({EventKind.MESSAGE, EventKind.CALL_STARTED})
UNHEARD = "__voice_unheard__"
"""The answer for a key that the caller's menu page did not offer (the question is asked
again): the conversation's own numbering is that of the whole page, not of what was said."""


def _current(ctx: AppContext, account: ChannelAccount, adapter: ChannelAdapter,
             event: InboundEvent) -> tuple[tuple[Outbound, ...], int, int]:
    """The call's current prompt, marked served (the call starts if it has none yet), how
    many times in a row it timed out, and the voice page of its menu."""
    call = event.session or event.external_id
    for attempt in range(2):
        with ctx.sessions() as db:
            row = latest(db, account.id, call)
            if row is not None:
                serve(row)
                db.commit()
                return (outbound(ctx.crypto, row, event.sender),), no_input(row), page_of(row)
        if attempt == 0:
            start = InboundEvent(f"{call}:0", event.sender, event.recipient,
                                 kind=EventKind.CALL_STARTED, session=call)
            converse(ctx, account.id, account.tenant_id, adapter.medium.value, start)
    return (), 0, 0


def _keyed(ctx: AppContext, account: ChannelAccount,
           event: InboundEvent) -> tuple[InboundEvent, tuple[Outbound, ...], int]:
    """A key pressed at a menu as the option it picks on the page the caller heard; for the
    key to the next page, also the prompt (else empty) and the page now."""
    pressed = event.text.strip()
    if (event.kind is not EventKind.MESSAGE or event.media_urls or len(pressed) != 1
            or pressed not in "123456789" or not event.session):
        return event, (), 0
    with ctx.sessions() as db:
        row = latest(db, account.id, event.session)
        if row is None or not row.extras.get("choices"):
            return event, (), 0
        prompt = outbound(ctx.crypto, row, event.sender)
        picked = dict(keys(prompt, page_of(row))).get(pressed)
        if picked is NEXT:
            page = turn_page(row)
            db.commit()
            return event, (prompt,), page
    return replace(event, text="", payload=picked.id if picked else UNHEARD), (), 0


def _timed_out(ctx: AppContext, account: ChannelAccount,
               event: InboundEvent) -> tuple[tuple[Outbound, ...], int, int]:
    """Count a time-out on the call's current prompt: that prompt, the count, its page."""
    call = event.session or event.external_id
    with ctx.sessions() as db:
        row = latest(db, account.id, call)
        if row is None:
            return (), 0, 0
        count = note_no_input(row)
        db.commit()
        return (outbound(ctx.crypto, row, event.sender),), count, page_of(row)


def _prepared(ctx: AppContext, account: ChannelAccount, event: InboundEvent) -> InboundEvent:
    """The event numbered; a late call start read as no input; a recording named."""
    call = event.session
    with ctx.sessions() as db:
        if event.kind is EventKind.CALL_STARTED and call and served(db, account.id, call):
            return replace(event, kind=EventKind.NO_INPUT)
        event = numbered(db, account.id, event)
        if event.media_urls and not event.text.strip() and call:
            row = latest(db, account.id, call)
            language = row.language if row is not None and row.language in KNOWN else "en"
            event = replace(event, text=translate(language, "ivr.recording"))
    return event


def answer(ctx: AppContext, account: ChannelAccount, adapter: ChannelAdapter, kind: str,
           result: WebhookResult) -> WebhookResponse:
    """Handle a synchronous channel's events; the adapter's response carries the replies."""
    url = ctx.settings.base_url + webhook_path(account)
    clips = Clips(ctx.settings, account.tenant_id)
    context = ReplyContext(kind, url, clips)
    response = result.response
    outbox: list[str] = []
    notices: list[str] = []
    for event in result.events:
        if isinstance(event, StatusUpdate):
            with ctx.sessions() as db:
                own = db.get_one(ChannelAccount, account.id)
                apply_status(db, own, event)
                apply_campaign_status(db, own, event)  # a call a campaign placed, if it is one
                db.commit()
            continue
        placed = outbound_call(ctx, account, adapter, kind, event, url, context)
        if isinstance(placed, WebhookResponse):  # a call we placed, playing its message
            response = placed
            continue
        event = placed
        if kind == "prompt":
            current, times, page = _current(ctx, account, adapter, event)
            response = adapter.respond(event, current,
                                       ReplyContext(kind, url, clips, times, page))
            continue
        event = _prepared(ctx, account, event)
        if event.kind is EventKind.NO_INPUT:
            current, times, page = _timed_out(ctx, account, event)
            response = adapter.respond(event, current,
                                       ReplyContext(kind, url, clips, times, page))
            continue
        event, paged, page = _keyed(ctx, account, event)
        if paged:  # the next page of the menu: the conversation waits
            response = adapter.respond(event, paged, ReplyContext(kind, url, clips, 0, page))
            continue
        handled = converse(ctx, account.id, account.tenant_id, adapter.medium.value, event)
        outbox.extend(handled.outbox_ids)
        notices.extend(handled.notice_ids)
        if event.kind in CONVERSING:
            response = adapter.respond(event, handled.replies, context)
    if outbox:
        ctx.dispatcher.enqueue(outbox)
    if notices:
        ctx.dispatcher.enqueue(notices, Lane.NOTICE)
    return response
