"""Twilio WhatsApp adapter: verify X-Twilio-Signature, parse forms, send text or content.

Inside the 24-hour session window a reply is free text, its choices shown as quick-reply buttons
or a list picker when the account has content templates for that many options, else as a
numbered menu. Outside the window only a template (`OutboundMessage.template`, a content SID)
may go out; without one the send fails with ConfigError("template_required") before any request.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

import requests
from pydantic import ValidationError
from twilio.base.exceptions import TwilioException
from twilio.twiml.messaging_response import MessagingResponse

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
    TemplateRef,
    WebhookRequest,
    WebhookResponse,
    WebhookResult,
)
from channels.errors import ConfigError, MalformedPayload
from channels.twilio_sms.signature import verify_twilio
from channels.twilio_whatsapp.client import (
    OUTSIDE_WINDOW,
    fetch_media,
    map_error,
    media_client,
    pooled_twilio,
)
from channels.twilio_whatsapp.content import (
    CONTENT_SID,
    Interactive,
    content_sids,
    option_variables,
    template_variables,
)
from channels.twilio_whatsapp.payloads import (
    MAX_MEDIA,
    STATUS_MAP,
    InboundMessage,
    StatusCallback,
    config_number,
    wa,
)

ACCOUNT_RATE = RateLimit(80)
"""A WhatsApp sender's default throughput (Twilio passes Meta's 80 a second on; `mps` sets
another)."""
PAIR_RATE = RateLimit(45, 270.0)
"""Meta's pair rate, one message every 6 s to one user on average, with the burst of 45 Meta
tolerates: a quick conversation is never held back."""


class Adapter(ChannelAdapter):
    """WhatsApp through Twilio; config: account_sid, auth_token, address, api_base,
    messaging_service_sid, quick_reply_content_sids, list_picker_content_sids."""

    channel_type = "twilio-whatsapp"
    medium = Medium.WHATSAPP
    # Buttons depend on each account's content templates, capabilities on the class: the core
    # plans numbered menus and send() upgrades them to buttons or a list where it can.
    capabilities = Capabilities(buttons=0, list_rows=10, numbered_menus=True, page_size=9,
                                location=True, photo=True, images=True, session_window_hours=24,
                                templates=True, max_text_length=1600,
                                account_rate=ACCOUNT_RATE, recipient_rate=PAIR_RATE)
    secret_fields: ClassVar[frozenset[str]] = frozenset({"auth_token"})
    required_fields: ClassVar[frozenset[str]] = frozenset({"account_sid", "auth_token", "address"})

    media_by_url = True

    def __init__(self, config: AccountConfig) -> None:
        super().__init__(config)
        self.number = config_number(config["address"])
        self.contents = {kind: content_sids(config.get(kind.config_key), kind)
                         for kind in Interactive}
        self.twilio = pooled_twilio(str(config["account_sid"]), str(config["auth_token"]),
                                    config.get("api_base"))
        self.media = media_client()

    def close(self) -> None:
        """Close the SDK client's and the media downloads' kept-alive connections."""
        self.twilio.close()
        self.media.close()

    @property
    def address(self) -> str:
        """Our WhatsApp number, bare ("+1415…"), however the config spells it."""
        return self.number

    def handle_webhook(self, request: WebhookRequest, kind: str) -> WebhookResult:
        """Verify, then parse an inbound message or a status callback."""
        if kind not in ("inbound", "status"):
            raise MalformedPayload(f"no {kind!r} webhooks on {self.channel_type}")
        form = verify_twilio(request, self.config)
        try:
            if kind == "status":
                return self._status(StatusCallback.model_validate(form))
            message = InboundMessage.model_validate(form)
        except ValidationError as exc:
            raise MalformedPayload(f"{len(exc.errors())} invalid field(s)") from None
        location = None
        if message.latitude is not None and message.longitude is not None:
            location = Location(message.latitude, message.longitude)
        elif message.latitude is not None or message.longitude is not None:
            raise MalformedPayload("half a location")
        count = min(message.num_media, MAX_MEDIA)
        media = tuple(form[f"MediaUrl{i}"] for i in range(count) if form.get(f"MediaUrl{i}"))
        event = InboundEvent(external_id=message.message_sid, sender=message.sender,
                             recipient=message.to, text=message.body, payload=message.payload,
                             media_urls=media, location=location,
                             sender_name=message.profile_name.strip() or None)
        return WebhookResult((event,), WebhookResponse(200, str(MessagingResponse()), "text/xml"))

    @staticmethod
    def _status(cb: StatusCallback) -> WebhookResult:
        """A status callback as a StatusUpdate; statuses we do not track are acknowledged. A
        failure only because the 24-hour window had closed (63016) asks for the template."""
        status = STATUS_MAP.get(cb.message_status.lower())
        if status is None:
            return WebhookResult((), ignored=f"status {cb.message_status}")
        closed = status is DeliveryStatus.FAILED and cb.error_code == OUTSIDE_WINDOW
        return WebhookResult((StatusUpdate(cb.message_sid, status, cb.error_code or None,
                                           needs_template=closed),))

    def send(self, message: OutboundMessage, status_callback: str | None) -> SendResult:
        """Create the message through Twilio's REST API: text, content with options, or a
        template when the session window is closed."""
        fields = self._fields(message)
        try:
            created = self.twilio.get().messages.create(
                to=wa(message.to), from_=wa(self.number),
                status_callback=status_callback or None,
                messaging_service_sid=self.config.get("messaging_service_sid") or None,
                **fields)
        except (TwilioException, requests.exceptions.RequestException) as exc:
            raise map_error(exc) from exc
        status = STATUS_MAP.get(str(created.status or "queued"))
        return SendResult(str(created.sid), status or STATUS_MAP["queued"])

    def _fields(self, message: OutboundMessage) -> dict[str, Any]:
        """The create-message fields that carry the content, chosen by window and options."""
        if not message.window_open:
            return self._template(message.template)
        content = self._options(message)
        if content is not None:
            return content
        fields: dict[str, Any] = {"body": self.render_text(message)}
        if message.media_url:
            fields["media_url"] = [message.media_url]
        return fields

    @staticmethod
    def _template(template: TemplateRef | None) -> dict[str, Any]:
        """ContentSid and ContentVariables of a template; ConfigError when there is none."""
        if template is None:
            raise ConfigError("template_required")
        if not CONTENT_SID.fullmatch(template.name):
            raise ConfigError("template_not_a_content_sid")
        fields: dict[str, Any] = {"content_sid": template.name}
        if template.variables:
            fields["content_variables"] = template_variables(template.variables)
        return fields

    def _options(self, message: OutboundMessage) -> dict[str, Any] | None:
        """Quick-reply or list-picker content for the choices, if a template fits them: titles
        as they are (buttons before a list), else shortened (a list first: it keeps more)."""
        whole, shortened = list(Interactive), sorted(Interactive, key=lambda k: -k.max_title)
        for shorten, kinds in ((False, whole), (True, shortened)):
            for kind in kinds:
                sid = self.contents[kind].get(len(message.choices))
                if sid is None:
                    continue
                variables = option_variables(message.text, message.choices, kind, shorten)
                if variables is not None:
                    return {"content_sid": sid,
                            "content_variables": json.dumps(variables, ensure_ascii=False)}
        return None

    def fetch_media(self, ref: str) -> MediaFile:
        """An inbound attachment (from `InboundEvent.media_urls`): bytes and content type."""
        return fetch_media(self.media.get(), ref, str(self.config["account_sid"]),
                           str(self.config["auth_token"]), self.config.get("api_base"))
