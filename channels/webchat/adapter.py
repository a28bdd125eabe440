"""Web chat adapter: HMAC-signed visitor tokens in, messages out through the message log."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from typing import ClassVar

from pydantic import ValidationError

from channels.base import ChannelAdapter
from channels.contract import (
    Capabilities,
    DeliveryStatus,
    InboundEvent,
    Medium,
    OutboundMessage,
    SendResult,
    WebhookRequest,
    WebhookResult,
)
from channels.errors import BadSignature, ConfigError, MalformedPayload
from channels.webchat.payloads import WidgetMessage

_PREFIX = "web:"


class Adapter(ChannelAdapter):
    """The widget polls the gateway for replies, so sending only marks a message delivered."""

    channel_type = "webchat"
    medium = Medium.WEBCHAT
    capabilities = Capabilities(buttons=10, numbered_menus=False, location=False, photo=False)
    secret_fields: ClassVar[frozenset[str]] = frozenset({"token_secret"})
    required_fields: ClassVar[frozenset[str]] = frozenset({"token_secret"})

    def _mac(self, visitor: str) -> str:
        """HMAC-SHA256 of a visitor id under the account's token secret."""
        key = str(self.config["token_secret"]).encode()
        return hmac.new(key, visitor.encode(), hashlib.sha256).hexdigest()

    def issue_client_token(self, address: str) -> str:
        """A bearer token binding a browser to one visitor address (`web:<uuid>`)."""
        if not address:
            address = _PREFIX + uuid.uuid4().hex
        if not address.isascii() or not address.startswith(_PREFIX):
            raise ConfigError(f"web chat addresses start with {_PREFIX!r}")
        return f"{address}.{self._mac(address)}"

    def verify_client_token(self, token: str) -> str:
        """The visitor address inside a token, if its MAC is right."""
        address, _, mac = token.rpartition(".")
        # Tokens we issue are ASCII; compare_digest raises TypeError on other text.
        if not token.isascii() or not address.startswith(_PREFIX):
            raise BadSignature("invalid web chat token")
        if not hmac.compare_digest(mac, self._mac(address)):
            raise BadSignature("invalid web chat token")
        return address

    def handle_webhook(self, request: WebhookRequest, kind: str) -> WebhookResult:
        """Accept a widget message carrying a valid bearer token."""
        auth = request.header("Authorization") or ""
        if not auth.startswith("Bearer "):
            raise BadSignature("missing bearer token")
        sender = self.verify_client_token(auth[7:])
        if kind != "inbound":
            raise MalformedPayload("web chat has no status callbacks")
        try:
            msg = WidgetMessage.model_validate_json(request.body)
        except ValidationError:
            raise MalformedPayload("not a widget message") from None
        if not msg.text.strip() and not msg.payload:
            raise MalformedPayload("empty message")
        event = InboundEvent(external_id=msg.id, sender=sender, recipient=self.address or "web",
                             text=msg.text, payload=msg.payload)
        return WebhookResult((event,))

    def send(self, message: OutboundMessage, status_callback: str | None) -> SendResult:
        """Nothing to call: the widget reads its messages from the gateway's message log."""
        return SendResult(external_id="web-" + (message.reference or uuid.uuid4().hex),
                          status=DeliveryStatus.DELIVERED)
