"""Outbound calls on the gateway side: the message a citizen hears when they answer our call.

A voice account's `send` places the call (the outbox row's message gets the call's id). When
the citizen answers, the provider asks the account's webhook what to play: Twilio with
`?announce=1`, Exotel's flow as for any call (its first Passthru, then the Gather applet's
prompt). Here such a request is recognised by the call id — an outbound message of this
account with that id, on a call not yet in the IVR — and answered with the message: the
adapter renders it in the `announce` context (TTS where the provider speaks the language, the
offline clips where not, or the city's recording for the message's purpose). The citizen may
press 1 to hear it again (at most `MAX_PLAYS` times in all) or 0 for the IVR's main menu,
which starts the conversation on the same call (in the message's language, when the citizen
had chosen none); silence ends the call politely.

A recording is chosen by the message's `extras["voice_message"]` (the purpose it was
uploaded for, `services.voice.messages`) in the message's language, the city's or else its
state's; without one the message's text is spoken.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from channels.base import ChannelAdapter, ReplyContext
from channels.contract import EventKind, InboundEvent, WebhookResponse
from channels.contract import OutboundMessage as Outbound
from channels.voice import ANNOUNCE, ANNOUNCE_CONTEXT, MENU_KEY
from services.accounts.models import ChannelAccount
from services.contacts.models import Contact
from services.context import AppContext
from services.messaging.models import Message
from services.voice.calls import latest, outbound
from services.voice.messages import find, link

PLAYS = "announce_plays"
"""How many times the call's message was played, kept on the message's log row."""
MAX_PLAYS = 5
VOICE_MESSAGE = "voice_message"
"""`Message.extras` key naming the recorded voice message's purpose."""
ASKED = frozenset({EventKind.MESSAGE, EventKind.CALL_STARTED, EventKind.NO_INPUT})


def _row(db: Session, account_id: str, call: str) -> Message | None:
    """The outbound message this account placed the call for (its id is the call's)."""
    return db.scalar(select(Message).where(Message.account_id == account_id,
                                           Message.direction == "out",
                                           Message.external_id == call))


def _message(ctx: AppContext, db: Session, row: Message, to: str) -> Outbound:
    """The logged message as the adapter renders it, with its recording's link if any."""
    message = outbound(ctx.crypto, row, to)
    purpose = row.extras.get(VOICE_MESSAGE)
    if purpose:
        recorded = find(db, row.tenant_id, str(purpose), row.language or "en")
        if recorded is not None:
            return replace(message, media_url=link(ctx.settings.base_url, ctx.crypto,
                                                   recorded))
    return message


def outbound_call(ctx: AppContext, account: ChannelAccount, adapter: ChannelAdapter, kind: str,
                  event: InboundEvent, url: str,
                  context: ReplyContext) -> InboundEvent | WebhookResponse:
    """The answer to a request on a call we placed, while its message is being played; or
    the event to run as usual: the call start (0 pressed) or any event of another call."""
    call = event.session
    if not call or kind not in ("inbound", "prompt") or event.kind not in ASKED:
        return event
    with ctx.sessions() as db:
        row = _row(db, account.id, call)
        if row is None or latest(db, account.id, call) is not None:
            return event  # not a call we placed, or the citizen is in the IVR already
        if kind == "inbound" and event.text.strip() == MENU_KEY and not event.media_urls:
            contact = db.get(Contact, row.contact_id)
            if contact is not None and contact.language is None and row.language:
                contact.language = row.language  # they heard and understood it in that one
                db.commit()
            return InboundEvent(f"{call}:0", event.sender, event.recipient,
                                kind=EventKind.CALL_STARTED, session=call)
        plays = int(row.extras.get(PLAYS, 0) or 0)
        message = _message(ctx, db, row, event.sender)
        announce = replace(context, kind=ANNOUNCE_CONTEXT, webhook_url=url)
        fetch = kind == "prompt" or event.payload == ANNOUNCE
        done = plays >= MAX_PLAYS or event.kind is EventKind.NO_INPUT or (
            event.kind is EventKind.CALL_STARTED and plays > 0)  # Exotel: silence, no digits
        if done or (kind == "prompt" and event.payload == "route"):
            return adapter.respond(replace(event, kind=EventKind.NO_INPUT), (message,), announce)
        if fetch:
            row.extras = {**row.extras, PLAYS: plays + 1}
            db.commit()
        return adapter.respond(event, (message,), announce)
