"""The small contract each provider adapter implements: receive, send, status."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

from channels.contract import (
    AccountConfig,
    Capabilities,
    Medium,
    OutboundMessage,
    SendResult,
    WebhookRequest,
    WebhookResult,
)
from channels.errors import BadSignature, ConfigError
from channels.render import as_text

REDACTED = "***"


class ChannelAdapter(ABC):
    """One provider's translation between its wire format and the neutral contract."""

    channel_type: ClassVar[str]
    medium: ClassVar[Medium]
    capabilities: ClassVar[Capabilities]
    secret_fields: ClassVar[frozenset[str]] = frozenset()
    required_fields: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, config: AccountConfig) -> None:
        missing = sorted(f for f in self.required_fields if not config.get(f))
        if missing:
            raise ConfigError("missing config: " + ", ".join(missing))
        self.config = config

    @property
    def address(self) -> str:
        """Our own address on this channel (a phone number, a bot name…)."""
        return str(self.config.get("address", ""))

    @abstractmethod
    def handle_webhook(self, request: WebhookRequest, kind: str) -> WebhookResult:
        """Verify and parse a webhook (`kind` is "inbound" or "status"); raise WebhookRejected."""

    @abstractmethod
    def send(self, message: OutboundMessage, status_callback: str | None) -> SendResult:
        """Hand one message to the provider; raise a SendError subclass on failure."""

    @classmethod
    def render_text(cls, message: OutboundMessage) -> str:
        """The text this channel shows for a message (choices degraded to fit)."""
        return as_text(message, cls.capabilities)

    def issue_client_token(self, address: str) -> str:
        """A credential for a first-party client (web chat); other channels have none."""
        raise ConfigError(f"{self.channel_type} issues no client tokens")

    def verify_client_token(self, token: str) -> str:
        """The address a first-party client token belongs to; BadSignature when invalid."""
        raise BadSignature(f"{self.channel_type} issues no client tokens")

    def redacted_config(self) -> dict[str, Any]:
        """The account config safe to log: secrets replaced."""
        return {k: (REDACTED if k in self.secret_fields else v) for k, v in self.config.items()}
