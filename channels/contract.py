"""The neutral contract every channel adapter speaks: events in, messages out, statuses back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple


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
    """Reply buttons shown under one message (WhatsApp 3; 0: none)."""
    list_rows: int = 0
    """Rows of a list picker (WhatsApp 10; 0: none)."""
    numbered_menus: bool = True
    page_size: int = 8
    """Options per page of a long choice, before a "more" option."""
    location: bool = False
    location_button: bool = False
    """A location ask's first choice (share) is the channel's own button, without a number;
    the other choices are numbered from 1 (WhatsApp Cloud's location request)."""
    photo: bool = False
    images: bool = False
    """Shows a picture sent with a message (`OutboundMessage.media_url`: a UPI QR)."""
    voice: bool = False
    """Spoken prompts; answers by keypad (DTMF) or speech (IVR)."""
    recording: bool = False
    """Can record a spoken answer (a grievance described by voice)."""
    synchronous: bool = False
    """Replies go back in the webhook's own response (IVR), not through the outbox."""
    session_window_hours: int | None = None
    """Free-form replies only this long after the citizen last wrote (WhatsApp: 24)."""
    templates: bool = False
    """Outside the window (or always, for Indian DLT SMS) only registered templates go out."""
    max_text_length: int | None = None
    account_rate: RateLimit | None = None
    """What the provider lets one account send (Telegram ~30/s per bot), across all workers."""
    recipient_rate: RateLimit | None = None
    """What the provider lets one account send to one recipient (Telegram 1/s per chat)."""


@dataclass(frozen=True)
class RateLimit:
    """A provider's sending limit: at most `count` messages per `seconds`."""

    count: int
    seconds: float = 1.0


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


class EventKind(StrEnum):
    """What an inbound event is: a message, or something that happened on a call."""

    MESSAGE = "message"
    CALL_STARTED = "call_started"
    CALL_ENDED = "call_ended"
    MISSED_CALL = "missed_call"
    NO_INPUT = "no_input"
    """A prompt timed out with nothing pressed (IVR): the conversation does not step."""


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
    kind: EventKind = EventKind.MESSAGE
    session: str | None = None
    """The provider's conversation handle, when it has one (a call's CallSid)."""
    sender_name: str | None = None
    """The name the citizen gave the provider (WhatsApp profile, Telegram first/last name)."""


class MediaFile(NamedTuple):
    """An inbound attachment's bytes as the provider served them, with the type it declared."""

    content: bytes
    content_type: str


@dataclass(frozen=True)
class StatusUpdate:
    """A provider's report on an outbound message it accepted earlier."""

    external_id: str
    status: DeliveryStatus
    error_code: str | None = None
    needs_template: bool = False
    """Failed only because the session window had closed (WhatsApp's re-engagement error):
    the core sends the message once more, as its approved template."""


@dataclass(frozen=True)
class MessagePart:
    """One catalog message a text was rendered from, with its parameters as rendered text.

    Adapters that need more than text use them: templates (WhatsApp, DLT SMS) and IVR, which
    speaks ids digit by digit and plays recorded clips.
    """

    key: str
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TemplateRef:
    """A provider-registered template to send instead of free text, with its variables."""

    name: str
    """The provider's template name or id (WhatsApp template, DLT template id, content SID)."""
    language: str
    variables: tuple[str, ...] = ()
    extra: Mapping[str, str] = field(default_factory=dict)
    """Provider fields such as the DLT principal entity id and sender header."""


@dataclass(frozen=True)
class OutboundMessage:
    """A localized message for one recipient; the adapter renders choices its own way."""

    to: str
    text: str
    choices: tuple[Choice, ...] = ()
    ask: Ask = Ask.NONE
    language: str = "en"
    reference: str = ""
    parts: tuple[MessagePart, ...] = ()
    window_open: bool = True
    """Whether the citizen wrote within the channel's session window (see Capabilities)."""
    template: TemplateRef | None = None
    media_url: str | None = None
    """A picture (or document) to send with the text, by a URL the provider can fetch; only
    to channels whose capabilities say `images`."""


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
