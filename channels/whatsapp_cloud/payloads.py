"""The Cloud API webhook wire format: envelope, messages, statuses and the body signature.

Meta POSTs every event of an app (messages and statuses alike) to one callback URL as
`{"object": "whatsapp_business_account", "entry": [{"changes": [{"field", "value"}]}]}`;
one request may carry several entries, changes, messages and statuses.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from channels.contract import DeliveryStatus

OBJECT = "whatsapp_business_account"
SIGNATURE_HEADER = "X-Hub-Signature-256"
SIGNATURE_PREFIX = "sha256="
MAX_TIMESTAMP = 2**33  # Unix seconds, year 2242: larger ones are garbage, not dates


def signature(app_secret: str, body: bytes) -> str:
    """The X-Hub-Signature-256 value: HMAC-SHA256 of the raw body under the app secret."""
    digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return SIGNATURE_PREFIX + digest


def wa_digits(address: str) -> str:
    """A phone address as WhatsApp writes it in webhooks: digits only, no `+`."""
    return "".join(ch for ch in address.removeprefix("whatsapp:") if ch.isdigit())


def e164(wa_id: str) -> str:
    """A webhook phone number (`919876543210`) as our addresses write it (`+919876543210`).

    Anything that is not a phone number (a business-scoped user id) is kept as it came.
    """
    digits = wa_id.strip().removeprefix("+")
    return "+" + digits if digits.isdigit() else wa_id.strip()


def envelope(phone_number_id: str, display_number: str, value: Mapping[str, Any],
             waba_id: str = "0") -> dict[str, Any]:
    """One `messages` change wrapped the way Meta wraps it (simulator and terminal phone)."""
    metadata = {"display_phone_number": wa_digits(display_number),
                "phone_number_id": phone_number_id}
    return {"object": OBJECT, "entry": [{"id": waba_id, "changes": [{
        "value": {"messaging_product": "whatsapp", "metadata": metadata, **value},
        "field": "messages"}]}]}


class _Wire(BaseModel):
    """Wire models ignore fields Meta adds over time."""

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class WireError(_Wire):
    """An error Meta attaches to a status, a message or a whole change."""

    code: int
    title: str = ""


class Text(_Wire):
    """A text message's content."""

    body: str


class Reply(_Wire):
    """The button or list row a citizen tapped in one of our interactive messages."""

    id: str = Field(min_length=1)
    title: str = ""
    description: str = ""


class Interactive(_Wire):
    """A reply to an interactive message: `button_reply` or `list_reply` (flows are ignored)."""

    type: str
    button_reply: Reply | None = None
    list_reply: Reply | None = None


class QuickReply(_Wire):
    """A tap on a template's quick-reply button (`type: button`)."""

    payload: str = Field(min_length=1)
    text: str = ""


class Coordinates(_Wire):
    """A shared location."""

    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    name: str = ""
    address: str = ""


class Media(_Wire):
    """An attachment; only its id is sent, the bytes are fetched from the Graph API."""

    id: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._-]+$")
    mime_type: str = ""
    caption: str = ""


class Message(_Wire):
    """One inbound message; `type` says which content field is set."""

    id: str = Field(min_length=1)
    sender: str = Field(alias="from", min_length=1)
    timestamp: int = Field(ge=0, le=MAX_TIMESTAMP)
    type: str
    text: Text | None = None
    interactive: Interactive | None = None
    button: QuickReply | None = None
    location: Coordinates | None = None
    image: Media | None = None
    video: Media | None = None
    audio: Media | None = None
    document: Media | None = None
    errors: tuple[WireError, ...] = ()


class Status(_Wire):
    """A delivery report on a message we sent."""

    id: str = Field(min_length=1)
    status: str = Field(min_length=1)
    timestamp: int = Field(ge=0, le=MAX_TIMESTAMP)
    recipient_id: str = ""
    errors: tuple[WireError, ...] = ()


class Metadata(_Wire):
    """Which of the business's numbers the change is about."""

    display_phone_number: str = ""
    phone_number_id: str = Field(min_length=1)


class Profile(_Wire):
    """What the sender shows on WhatsApp."""

    name: str = Field("", max_length=256)


class WaContact(_Wire):
    """A sender of the change's messages: their WhatsApp id and profile name."""

    wa_id: str = ""
    profile: Profile = Profile(name="")


class Value(_Wire):
    """The `value` of a `messages` change."""

    metadata: Metadata
    contacts: tuple[WaContact, ...] = ()
    messages: tuple[Message, ...] = ()
    statuses: tuple[Status, ...] = ()
    errors: tuple[WireError, ...] = ()


class Change(_Wire):
    """One change; only `field: messages` is parsed further (other fields differ in shape)."""

    field: str
    value: dict[str, Any]


class Entry(_Wire):
    """The changes of one WhatsApp Business Account."""

    id: str = ""
    changes: tuple[Change, ...] = ()


class Notification(_Wire):
    """A whole webhook body."""

    object: str
    entry: tuple[Entry, ...]


# Cloud API status -> neutral status; `deleted`, `warning` and newer ones are acknowledged only.
STATUS_MAP: dict[str, DeliveryStatus] = {
    "sent": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.READ,
    "played": DeliveryStatus.READ,
    "failed": DeliveryStatus.FAILED,
}

MEDIA_TYPES = ("image", "video", "audio", "document")
"""Attachments passed on as media references (stickers are acknowledged, not handled)."""
