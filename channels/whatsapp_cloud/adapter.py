"""WhatsApp Cloud API adapter: verify X-Hub-Signature-256, parse notifications, send via Graph."""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

import httpx
from pydantic import ValidationError

from channels import jsonsafe
from channels.base import ChannelAdapter
from channels.contract import (
    AccountConfig,
    Capabilities,
    DeliveryStatus,
    InboundEvent,
    Location,
    MediaFile,
    Medium,
    OutboundMessage,
    RateLimit,
    SendResult,
    StatusUpdate,
    WebhookRequest,
    WebhookResponse,
    WebhookResult,
)
from channels.errors import BadSignature, MalformedPayload
from channels.render import numbered_menu
from channels.whatsapp_cloud.client import WINDOW_CLOSED, GraphClient
from channels.whatsapp_cloud.outbound import MAX_ROWS, message_body
from channels.whatsapp_cloud.payloads import (
    MEDIA_TYPES,
    OBJECT,
    SIGNATURE_HEADER,
    SIGNATURE_PREFIX,
    STATUS_MAP,
    Message,
    Notification,
    Status,
    Value,
    e164,
    signature,
)

Event = InboundEvent | StatusUpdate
ACCOUNT_RATE = RateLimit(80)
"""Cloud API throughput per business number: 80 a second by default (`mps` for an upgraded
number, 20 for a coexistence number)."""
PAIR_RATE = RateLimit(45, 270.0)
"""Meta's pair rate, one message every 6 s to one user on average (error 131056 past it),
with the burst of 45 Meta tolerates: a quick conversation is never held back."""
MAX_CHALLENGE = 256


class Adapter(ChannelAdapter):
    """WhatsApp through Meta's Cloud API, one business phone number per account.

    Config: phone_number_id, access_token, app_secret, verify_token, address (our number as
    shown to citizens), graph_base (default graph.facebook.com), api_version (default v21.0).
    """

    channel_type = "whatsapp-cloud"
    medium = Medium.WHATSAPP
    capabilities = Capabilities(buttons=3, list_rows=10, numbered_menus=False, page_size=9,
                                location=True, location_button=True, photo=True, images=True,
                                session_window_hours=24, templates=True, max_text_length=4096,
                                account_rate=ACCOUNT_RATE, recipient_rate=PAIR_RATE)
    secret_fields: ClassVar[frozenset[str]] = frozenset(
        {"access_token", "app_secret", "verify_token"})
    required_fields: ClassVar[frozenset[str]] = frozenset(
        {"phone_number_id", "access_token", "app_secret", "verify_token", "address"})
    webhook_methods: ClassVar[frozenset[str]] = frozenset({"GET", "POST"})
    """GET is Meta's verification handshake on the same URL as the notifications."""

    def __init__(self, config: AccountConfig, transport: httpx.BaseTransport | None = None) -> None:
        super().__init__(config)
        self.phone_number_id = str(config["phone_number_id"])
        self.graph = GraphClient(access_token=str(config["access_token"]),
                                 graph_base=config.get("graph_base") or None,
                                 api_version=config.get("api_version") or None,
                                 transport=transport)

    def close(self) -> None:
        """Close the pooled Graph connections."""
        self.graph.close()

    # -- subscription and signature -----------------------------------------------------------
    def verify_subscription(self, query: Mapping[str, str]) -> WebhookResponse:
        """Answer Meta's GET handshake (`hub.mode=subscribe`): the challenge, as plain text."""
        token = query.get("hub.verify_token", "")
        expected = str(self.config["verify_token"])
        if (query.get("hub.mode") != "subscribe" or not token.isascii()
                or not hmac.compare_digest(token.encode(), expected.encode())):
            raise BadSignature("hub.verify_token does not match")
        challenge = query.get("hub.challenge", "")
        if not challenge or len(challenge) > MAX_CHALLENGE:
            raise MalformedPayload("hub.challenge missing or too long")
        return WebhookResponse(200, challenge, "text/plain")

    def _verify(self, request: WebhookRequest) -> None:
        """X-Hub-Signature-256 must be the app secret's HMAC of the raw body."""
        sent = (request.header(SIGNATURE_HEADER) or "").strip()
        if not sent.startswith(SIGNATURE_PREFIX) or not sent.isascii():
            raise BadSignature(f"missing or malformed {SIGNATURE_HEADER}")
        expected = signature(str(self.config["app_secret"]), request.body)
        if not hmac.compare_digest(sent.lower().encode(), expected.encode()):
            raise BadSignature(f"{SIGNATURE_HEADER} does not match")

    # -- inbound ------------------------------------------------------------------------------
    def handle_webhook(self, request: WebhookRequest, kind: str) -> WebhookResult:
        """Verify, then turn every message and status of the notification into events.

        Meta posts statuses to the same URL as messages, so both kinds parse alike; a GET is
        the verification handshake (see `verify_subscription`).
        """
        if kind not in ("inbound", "status"):
            raise MalformedPayload(f"no {kind!r} webhooks on {self.channel_type}")
        if request.method.upper() == "GET":
            query = dict(parse_qsl(urlsplit(request.url).query, keep_blank_values=True))
            return WebhookResult((), self.verify_subscription(query))
        self._verify(request)
        try:
            notification = Notification.model_validate(jsonsafe.loads(request.body))
            if notification.object != OBJECT:
                raise MalformedPayload(f"object {notification.object!r}")
            events: list[Event] = []
            ignored: list[str] = []
            for entry in notification.entry:
                for change in entry.changes:
                    if change.field != "messages":
                        ignored.append(f"field {change.field}")
                        continue
                    self._change(Value.model_validate(change.value), events, ignored)
        except (ValueError, ValidationError) as exc:  # JSON or schema (ValidationError too)
            count = len(exc.errors()) if isinstance(exc, ValidationError) else 1
            raise MalformedPayload(f"{count} invalid field(s)") from None
        return WebhookResult(tuple(events), ignored="; ".join(ignored) or None)

    def _change(self, value: Value, events: list[Event], ignored: list[str]) -> None:
        """The events of one change to this account's number."""
        if value.metadata.phone_number_id != self.phone_number_id:
            ignored.append("another phone_number_id")
            return
        ignored.extend(f"error {e.code}" for e in value.errors)
        recipient = e164(value.metadata.display_phone_number) if any(
            ch.isdigit() for ch in value.metadata.display_phone_number) else self.address
        names = {c.wa_id: c.profile.name.strip() for c in value.contacts if c.profile.name.strip()}
        for message in value.messages:
            event = self._message(message, recipient, bool(value.errors))
            if isinstance(event, InboundEvent):
                events.append(replace(event, sender_name=names.get(message.sender)))
            else:
                ignored.append(event)
        for status in value.statuses:
            update = self._status(status)
            if isinstance(update, StatusUpdate):
                events.append(update)
            else:
                ignored.append(update)

    def _message(self, message: Message, recipient: str, reported: bool) -> InboundEvent | str:
        """One message as an event, or why it is only acknowledged."""
        fields: dict[str, Any] = {}
        kind = message.type
        if message.errors:
            return f"{kind} message with error {message.errors[0].code}"
        if kind == "text" and message.text is not None:
            fields["text"] = message.text.body
        elif kind == "interactive" and message.interactive is not None:
            reply = message.interactive.button_reply or message.interactive.list_reply
            if reply is None:
                return f"interactive {message.interactive.type}"
            fields.update(text=reply.title, payload=reply.id)
        elif kind == "button" and message.button is not None:
            fields.update(text=message.button.text, payload=message.button.payload)
        elif kind == "location" and message.location is not None:
            fields["location"] = Location(message.location.latitude, message.location.longitude)
        elif kind in MEDIA_TYPES and getattr(message, kind) is not None:
            media = getattr(message, kind)
            fields.update(text=media.caption, media_urls=(self.media_ref(media.id),))
        elif kind in ("text", "interactive", "button", "location", *MEDIA_TYPES):
            if reported:  # Meta sends a bare message when it could not render it, with errors
                return f"{kind} message without content"
            raise MalformedPayload(f"{kind} message without content")
        else:
            return f"{kind} message"
        return InboundEvent(external_id=message.id, sender=e164(message.sender),
                            recipient=recipient,
                            received_at=datetime.fromtimestamp(message.timestamp, UTC), **fields)

    @staticmethod
    def _status(status: Status) -> StatusUpdate | str:
        """A delivery report as a StatusUpdate (the first error's code), or why it is skipped;
        a failure only because the 24-hour window had closed asks for the template."""
        mapped = STATUS_MAP.get(status.status.lower())
        if mapped is None:
            return f"status {status.status}"
        code = status.errors[0].code if status.errors and mapped is DeliveryStatus.FAILED \
            else None
        return StatusUpdate(status.id, mapped, None if code is None else str(code),
                            needs_template=code in WINDOW_CLOSED)

    # -- media --------------------------------------------------------------------------------
    def media_ref(self, media_id: str) -> str:
        """The reference put in InboundEvent.media_urls: the media's Graph node URL."""
        return f"{self.graph.base}/{media_id}"

    def fetch_media(self, ref: str) -> MediaFile:
        """Bytes and content type of an inbound attachment (its URL lives 5 minutes at Meta)."""
        media_id = ref.rstrip("/").rsplit("/", 1)[-1]
        if not media_id or not all(ch.isalnum() or ch in "._-" for ch in media_id):
            raise MalformedPayload("not a media reference")
        return self.graph.fetch_media(media_id, self.phone_number_id)

    # -- outbound -----------------------------------------------------------------------------
    @classmethod
    def render_text(cls, message: OutboundMessage) -> str:
        """The text WhatsApp shows: choices are buttons or a list, a numbered menu past ten."""
        return message.text if len(message.choices) <= MAX_ROWS else numbered_menu(message)

    def send(self, message: OutboundMessage, status_callback: str | None) -> SendResult:
        """POST the message to the Graph API; statuses arrive on the account's webhook.

        `status_callback` is unused: Meta reports statuses to the subscribed callback URL.
        """
        wamid = self.graph.send_message(self.phone_number_id, message_body(message))
        return SendResult(wamid, DeliveryStatus.QUEUED)
