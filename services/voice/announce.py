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
state's; without one the message's text is spoken. A call a campaign placed has no message
log row: its outbox row gives the message and its recording is the campaign's own
(services.campaigns.calls).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from channels.base import ChannelAdapter, ReplyContext
from channels.contract import EventKind, InboundEvent, WebhookResponse
from channels.contract import OutboundMessage as Outbound
from channels.voice import ANNOUNCE, ANNOUNCE_CONTEXT, MENU_KEY
from services.accounts.models import ChannelAccount
from services.campaigns.calls import note_play
from services.campaigns.calls import placed as campaign_call
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


@dataclass(frozen=True)
class _Placed:
    """A call we placed: its message (from the message log, or a campaign's outbox row)."""

    tenant_id: str
    message: Outbound
    contact_id: str | None
    plays: int
    recording: str | None
    note: Callable[[int], None]
    """Remember how many times it was played (not committed)."""


def _row(db: Session, account_id: str, call: str) -> Message | None:
    """The outbound message this account placed the call for (its id is the call's)."""
    return db.scalar(select(Message).where(Message.account_id == account_id,
                                           Message.direction == "out",
                                           Message.external_id == call))


def _placed(ctx: AppContext, db: Session, account_id: str, call: str,
            to: str) -> _Placed | None:
    """The call's message: a logged outbound message, else a campaign send (no log row)."""
    row = _row(db, account_id, call)
    if row is not None:
        logged = row

        def note(plays: int) -> None:
            logged.extras = {**logged.extras, PLAYS: plays}

        purpose = row.extras.get(VOICE_MESSAGE)
        return _Placed(row.tenant_id, outbound(ctx.crypto, row, to), row.contact_id,
                       int(row.extras.get(PLAYS, 0) or 0), str(purpose) if purpose else None,
                       note)
    sent = campaign_call(db, ctx.crypto, account_id, call, to)
    if sent is None:
        return None
    return _Placed(sent.tenant_id, sent.message, sent.contact_id, sent.plays, sent.recording,
                   lambda plays: note_play(db, sent.row_id, plays))


def _message(ctx: AppContext, db: Session, placed: _Placed) -> Outbound:
    """The message as the adapter renders it, with its recording's link if any."""
    message = placed.message
    if placed.recording:
        recorded = find(db, placed.tenant_id, placed.recording, message.language or "en")
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
        placed = _placed(ctx, db, account.id, call, event.sender)
        if placed is None or latest(db, account.id, call) is not None:
            return event  # not a call we placed, or the citizen is in the IVR already
        if kind == "inbound" and event.text.strip() == MENU_KEY and not event.media_urls:
            contact = db.get(Contact, placed.contact_id) if placed.contact_id else None
            language = placed.message.language
            if contact is not None and contact.language is None and language:
                contact.language = language  # they heard and understood it in that one
                db.commit()
            return InboundEvent(f"{call}:0", event.sender, event.recipient,
                                kind=EventKind.CALL_STARTED, session=call)
        plays = placed.plays
        message = _message(ctx, db, placed)
        announce = replace(context, kind=ANNOUNCE_CONTEXT, webhook_url=url)
        fetch = kind == "prompt" or event.payload == ANNOUNCE
        done = plays >= MAX_PLAYS or event.kind is EventKind.NO_INPUT or (
            event.kind is EventKind.CALL_STARTED and plays > 0)  # Exotel: silence, no digits
        if done or (kind == "prompt" and event.payload == "route"):
            return adapter.respond(replace(event, kind=EventKind.NO_INPUT), (message,), announce)
        if fetch:
            placed.note(plays + 1)
            db.commit()
        return adapter.respond(event, (message,), announce)
