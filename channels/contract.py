"""The neutral contract every channel adapter speaks: events in, messages out, statuses back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Medium(StrEnum):
    """How the citizen is reached; decides address scheme and rendering."""

    SMS = "sms"
    WEBCHAT = "webchat"
    WHATSAPP = "whatsapp"
    TELEGRAM = "telegram"
    VOICE = "voice"


class Ask(StrEnum):
    """What kind of answer an outbound message waits for."""

    NONE = "none"
    CHOICE = "choice"
    TEXT = "text"
    NUMBER = "number"
    LOCATION = "location"
    PHOTO = "photo"


class DeliveryStatus(StrEnum):
    """Neutral delivery states, ordered so that late callbacks never move a message backwards."""

    PENDING = "pending"
    QUEUED = "queued"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"

    @property
    def rank(self) -> int:
        """Position in the lifecycle; FAILED is final like READ."""
        return _RANK[self]


_RANK = {
    DeliveryStatus.PENDING: 0,
    DeliveryStatus.QUEUED: 1,
    DeliveryStatus.SENT: 2,
    DeliveryStatus.DELIVERED: 3,
    DeliveryStatus.READ: 4,
    DeliveryStatus.FAILED: 4,
}


@dataclass(frozen=True)
class Capabilities:
    """What a channel can show and ask for; prompts degrade to fit."""

    buttons: int = 0
    numbered_menus: bool = True
    location: bool = False
    photo: bool = False
    max_text_length: int | None = None


@dataclass(frozen=True)
class Choice:
    """One option of a choice prompt: a stable id and its label in the citizen's language."""

    id: str
    label: str


@dataclass(frozen=True)
class Location:
    """A point shared by the citizen."""

    latitude: float
    longitude: float


@dataclass(frozen=True)
class InboundEvent:
    """A message from a citizen, already verified and parsed out of the provider's wire format."""

    external_id: str
    sender: str
    recipient: str
    text: str = ""
    payload: str | None = None
    media_urls: tuple[str, ...] = ()
    location: Location | None = None
    received_at: datetime | None = None


@dataclass(frozen=True)
class StatusUpdate:
    """A provider's report on an outbound message it accepted earlier."""

    external_id: str
    status: DeliveryStatus
    error_code: str | None = None


@dataclass(frozen=True)
class OutboundMessage:
    """A localized message for one recipient; the adapter renders choices its own way."""

    to: str
    text: str
    choices: tuple[Choice, ...] = ()
    ask: Ask = Ask.NONE
    language: str = "en"
    reference: str = ""


@dataclass(frozen=True)
class SendResult:
    """What the provider said when it accepted a message."""

    external_id: str
    status: DeliveryStatus = DeliveryStatus.SENT


@dataclass(frozen=True)
class WebhookRequest:
    """An HTTP request as the provider made it, framework-free, with the public URL it signed."""

    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes
    form: Mapping[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        """Case-insensitive header lookup."""
        lowered = name.lower()
        for key, value in self.headers.items():
            if key.lower() == lowered:
                return value
        return None


@dataclass(frozen=True)
class WebhookResponse:
    """What to answer the provider with."""

    status: int = 200
    body: str = ""
    media_type: str = "text/plain"


@dataclass(frozen=True)
class WebhookResult:
    """Events parsed from one webhook request and the response the provider expects."""

    events: tuple[InboundEvent | StatusUpdate, ...]
    response: WebhookResponse = field(default_factory=WebhookResponse)
    ignored: str | None = None


AccountConfig = Mapping[str, Any]
