"""Bounds on what a verified webhook may carry, checked before anything is stored.

The columns that keep an event are bounded (`messages.external_id` is 100 characters), and a
value that does not fit made PostgreSQL fail the transaction: a 500 that providers retry for a
day. An event outside these bounds is refused with a 400 and a code instead.
"""

from __future__ import annotations

from collections.abc import Iterable

from channels.contract import InboundEvent, StatusUpdate
from channels.errors import OutOfBounds

MAX_EVENT_ID = 100
"""`messages.external_id`; Twilio SIDs are 34 characters, WhatsApp ids about 60."""
MAX_ADDRESS = 64
"""Sender and recipient: E.164 numbers, chat ids, web chat visitor ids."""
MAX_TEXT = 4096
"""Characters of one message: WhatsApp's and Telegram's limit; concatenated SMS stop near 1,600."""
MAX_PAYLOAD = 512
"""A button or list-row payload (WhatsApp allows 256 bytes, Telegram 64)."""
MAX_MEDIA = 10
"""Attachments of one message (Twilio sends at most 10)."""
MAX_URL = 2048
"""One attachment reference."""
MAX_SESSION = 80
"""The provider's conversation handle (a call's CallSid, 34 characters at Twilio); IVR answers
are numbered `<session>:<step>`, which must still fit MAX_EVENT_ID."""
MAX_ERROR_CODE = 64
"""`messages.error_code`."""


def check_event(event: InboundEvent | StatusUpdate) -> None:
    """Raise OutOfBounds (a WebhookRejected: 400, with a code naming the field) when a field of
    the event does not fit."""
    if len(event.external_id) > MAX_EVENT_ID:
        raise OutOfBounds("invalid_event_id")
    if isinstance(event, StatusUpdate):
        if event.error_code is not None and len(event.error_code) > MAX_ERROR_CODE:
            raise OutOfBounds("invalid_error_code")
        return
    if len(event.sender) > MAX_ADDRESS:
        raise OutOfBounds("sender_too_long")
    if len(event.recipient) > MAX_ADDRESS:
        raise OutOfBounds("recipient_too_long")
    if len(event.text) > MAX_TEXT:
        raise OutOfBounds("text_too_long")
    if event.payload is not None and len(event.payload) > MAX_PAYLOAD:
        raise OutOfBounds("payload_too_long")
    if len(event.media_urls) > MAX_MEDIA or any(len(u) > MAX_URL for u in event.media_urls):
        raise OutOfBounds("too_much_media")
    if event.session is not None and len(event.session) > MAX_SESSION:
        raise OutOfBounds("session_too_long")


def check_events(events: Iterable[object]) -> None:
    """Check every event and status of a webhook; anything else passes through unchanged."""
    for event in events:
        if isinstance(event, InboundEvent | StatusUpdate):
            check_event(event)
