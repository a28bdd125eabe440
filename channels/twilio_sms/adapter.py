"""Twilio SMS adapter: verify X-Twilio-Signature, parse forms, send through the SDK."""

from __future__ import annotations

from typing import ClassVar

import requests
from pydantic import ValidationError
from twilio.base.exceptions import TwilioException
from twilio.twiml.messaging_response import MessagingResponse

from channels.base import ChannelAdapter
from channels.contract import (
    AccountConfig,
    Capabilities,
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
from channels.errors import MalformedPayload
from channels.twilio_sms.client import map_error, pooled_twilio
from channels.twilio_sms.media import fetch_media, media_client
from channels.twilio_sms.payloads import MAX_MEDIA, STATUS_MAP, InboundSms, StatusCallback
from channels.twilio_sms.signature import verify_twilio

ACCOUNT_RATE = RateLimit(1)
"""A long code sends one segment a second; toll-free and short codes set `mps` in the config."""


class Adapter(ChannelAdapter):
    """SMS through Twilio; config: account_sid, auth_token, address (our number), api_base."""

    channel_type = "twilio-sms"
    medium = Medium.SMS
    capabilities = Capabilities(buttons=0, numbered_menus=True, max_text_length=1600,
                                account_rate=ACCOUNT_RATE)
    secret_fields: ClassVar[frozenset[str]] = frozenset({"auth_token"})
    required_fields: ClassVar[frozenset[str]] = frozenset({"account_sid", "auth_token", "address"})
    media_by_url = True

    def __init__(self, config: AccountConfig) -> None:
        super().__init__(config)
        self.twilio = pooled_twilio(str(config["account_sid"]), str(config["auth_token"]),
                                    config.get("api_base"))
        self.media = media_client()

    def close(self) -> None:
        """Close the SDK client's and the media client's kept-alive connections."""
        self.twilio.close()
        self.media.close()

    def fetch_media(self, ref: str) -> MediaFile:
        """An MMS attachment (`MediaUrl<n>`), fetched with the account's credentials."""
        return fetch_media(self.media.get(), ref, str(self.config["account_sid"]),
                           str(self.config["auth_token"]), self.config.get("api_base"))

    def handle_webhook(self, request: WebhookRequest, kind: str) -> WebhookResult:
        """Verify, then parse an inbound message or a status callback."""
        if kind not in ("inbound", "status"):
            raise MalformedPayload(f"no {kind!r} webhooks on {self.channel_type}")
        form = verify_twilio(request, self.config)
        try:
            if kind == "status":
                return self._status(StatusCallback.model_validate(form))
            sms = InboundSms.model_validate(form)
        except ValidationError as exc:
            raise MalformedPayload(f"{len(exc.errors())} invalid field(s)") from None
        location = None
        if sms.latitude is not None and sms.longitude is not None:
            location = Location(sms.latitude, sms.longitude)
        count = min(sms.num_media, MAX_MEDIA)
        media = tuple(form[f"MediaUrl{i}"] for i in range(count) if form.get(f"MediaUrl{i}"))
        event = InboundEvent(external_id=sms.message_sid, sender=sms.sender, recipient=sms.to,
                             text=sms.body, media_urls=media, location=location)
        twiml = WebhookResponse(200, str(MessagingResponse()), "text/xml")
        return WebhookResult((event,), twiml)

    @staticmethod
    def _status(cb: StatusCallback) -> WebhookResult:
        """A status callback as a StatusUpdate; statuses we do not track are acknowledged."""
        status = STATUS_MAP.get(cb.message_status.lower())
        if status is None:
            return WebhookResult((), ignored=f"status {cb.message_status}")
        return WebhookResult((StatusUpdate(cb.message_sid, status, cb.error_code or None),))

    def send(self, message: OutboundMessage, status_callback: str | None) -> SendResult:
        """Create the message through Twilio's REST API (choices become a numbered menu)."""
        body = self.render_text(message)
        try:
            created = self.twilio.get().messages.create(
                to=message.to, from_=self.address, body=body,
                status_callback=status_callback or None,
            )
        except (TwilioException, requests.exceptions.RequestException) as exc:
            raise map_error(exc) from exc
        status = STATUS_MAP.get(str(created.status or "queued"))
        return SendResult(str(created.sid), status or STATUS_MAP["queued"])
