"""Writing outbound messages: a log row and an outbox row in the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from channels.contract import Ask, Choice, Medium, MessagePart, OutboundMessage
from channels.registry import adapter_class
from i18n.sms import sms_length
from services.accounts.models import ChannelAccount
from services.contacts.models import Contact
from services.db.base import new_id
from services.messaging.lanes import Lane
from services.messaging.models import Message, OutboxItem
from services.security.crypto import Crypto


def queue_message(db: Session, crypto: Crypto, *, account: ChannelAccount, contact: Contact,
                  text: str, choices: tuple[Choice, ...] = (), ask: Ask = Ask.NONE,
                  language: str | None = None, parts: Sequence[MessagePart] = (),
                  lane: Lane = Lane.REPLY, media_url: str | None = None) -> str:
    """Queue one message for delivery; returns the outbox id to hand to the dispatcher.
    `media_url`: a picture sent with it (a signed link of ours, such as a UPI QR)."""
    extras: dict[str, Any] = {"choices": [[c.id, c.label] for c in choices], "ask": ask.value}
    if media_url:
        extras["media_url"] = media_url
    if parts:  # parameters may hold personal data (a description): encrypted like the body
        extras["parts_enc"] = crypto.encrypt_json(
            {"parts": [[part.key, dict(part.params)] for part in parts]})
    adapter = adapter_class(account.channel_type)
    if adapter.medium is Medium.SMS:  # what it costs, for previews and reports
        length = sms_length(adapter.render_text(OutboundMessage("", text, choices, ask)))
        extras["sms"] = {"encoding": length.encoding.value, "segments": length.segments}
    # ids chosen here, so both rows go in one flush (the log row first: the outbox row refers
    # to it)
    message = Message(id=new_id(), tenant_id=account.tenant_id, account_id=account.id,
                      contact_id=contact.id, direction="out", body_enc=crypto.encrypt(text),
                      language=language, extras=extras)
    item = OutboxItem(id=new_id(), tenant_id=account.tenant_id, message_id=message.id,
                      lane=lane.value, priority=lane.priority)
    db.add_all((message, item))
    db.flush()
    return item.id
