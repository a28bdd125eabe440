"""Web chat adapter: HMAC-signed, expiring visitor tokens in, messages out through the log.

A token is `web:<visitor>.<expires, unix seconds>.<HMAC of both>`; an expired one is refused
with `token_expired` (401), so the page asks for a new one. The widget chooses its message ids,
so an event's id is scoped to the visitor (`<visitor tag>:<widget id>`): two visitors who pick
the same id are two messages, and the tag does not reveal the visitor.
"""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from typing import ClassVar

from pydantic import ValidationError

from channels.base import ChannelAdapter
from channels.contract import (
    Capabilities,
    DeliveryStatus,
    InboundEvent,
    Location,
    Medium,
    OutboundMessage,
    SendResult,
    WebhookRequest,
    WebhookResult,
)
from channels.errors import BadSignature, ConfigError, MalformedPayload, TokenExpired
from channels.webchat.payloads import WidgetMessage

_PREFIX = "web:"
TOKEN_TTL_SECONDS = 7 * 86400
"""How long a visitor token lasts unless the account's `token_ttl_seconds` says otherwise;
the page renews it each time it opens (`/webchat/session`)."""


class Adapter(ChannelAdapter):
    """The widget polls the gateway for replies, so sending only marks a message delivered."""

    channel_type = "webchat"
    medium = Medium.WEBCHAT
    capabilities = Capabilities(buttons=10, numbered_menus=False, location=True, photo=True,
                                images=True)
    secret_fields: ClassVar[frozenset[str]] = frozenset({"token_secret"})
    required_fields: ClassVar[frozenset[str]] = frozenset({"token_secret"})

    def _mac(self, value: str) -> str:
        """HMAC-SHA256 of a value under the account's token secret."""
        key = str(self.config["token_secret"]).encode()
        return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()

    @property
    def token_ttl(self) -> int:
        """Seconds a new token lasts."""
        return int(self.config.get("token_ttl_seconds") or TOKEN_TTL_SECONDS)

    def issue_client_token(self, address: str, now: float | None = None) -> str:
        """A bearer token binding a browser to one visitor address (`web:<uuid>`) until it
        expires; an existing address gets a renewed token."""
        if not address:
            address = _PREFIX + uuid.uuid4().hex
        if not address.isascii() or not address.startswith(_PREFIX) or "." in address:
            raise ConfigError(f"web chat addresses start with {_PREFIX!r}")
        expires = int(time.time() if now is None else now) + self.token_ttl
        signed = f"{address}.{expires}"
        return f"{signed}.{self._mac(signed)}"

    def verify_client_token(self, token: str, now: float | None = None) -> str:
        """The visitor address inside a token if its MAC is right; TokenExpired when late."""
        signed, _, mac = token.rpartition(".")
        address, _, expires = signed.rpartition(".")
        # Tokens we issue are ASCII; compare_digest raises TypeError on other text.
        if (not token.isascii() or not address.startswith(_PREFIX) or "." in address
                or not expires.isdigit()):
            raise BadSignature("invalid web chat token")
        if not hmac.compare_digest(mac, self._mac(signed)):
            raise BadSignature("invalid web chat token")
        if int(expires) <= (time.time() if now is None else now):
            raise TokenExpired("web chat token expired")
        return address

    def client_ref(self, external_id: str) -> str:
        """The widget's own message id inside an event id (`<visitor tag>:<id>` or bare)."""
        return external_id.rpartition(":")[2]

    def visitor_tag(self, address: str) -> str:
        """A short keyed tag of a visitor (not its token's MAC), scoping its message ids."""
        return self._mac("message-ids:" + address)[:16]

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
        if not msg.text.strip() and not msg.payload and not msg.photo and not msg.location:
            raise MalformedPayload("empty message")
        tag = self.visitor_tag(sender)
        # A photo was uploaded to the gateway first and is held under this visitor's tag: the
        # reference is made from the token's visitor, so no one can name another's upload.
        media = (f"held:webchat/{tag}/{msg.photo}",) if msg.photo else ()
        where = Location(msg.location.lat, msg.location.lon) if msg.location else None
        event = InboundEvent(external_id=f"{tag}:{msg.id}", sender=sender,
                             recipient=self.address or "web", text=msg.text,
                             payload=msg.payload, media_urls=media, location=where)
        return WebhookResult((event,))

    def send(self, message: OutboundMessage, status_callback: str | None) -> SendResult:
        """Nothing to call: the widget reads its messages from the gateway's message log."""
        return SendResult(external_id="web-" + (message.reference or uuid.uuid4().hex),
                          status=DeliveryStatus.DELIVERED)
