"""The fake adapter: sending does whatever the test scripted, and records what it was given."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from channels.base import ChannelAdapter
from channels.contract import (
    Capabilities,
    DeliveryStatus,
    Medium,
    OutboundMessage,
    SendResult,
    WebhookRequest,
    WebhookResult,
)

Send = Callable[[OutboundMessage], SendResult]


def accept(message: OutboundMessage) -> SendResult:
    """The default script: the provider accepts every message."""
    return SendResult(f"ext-{message.reference}", DeliveryStatus.SENT)


class Adapter(ChannelAdapter):
    """A provider whose every send runs `script` (set by the test)."""

    channel_type = "fake-delivery"
    medium = Medium.TELEGRAM
    capabilities = Capabilities()
    script: ClassVar[Send] = accept
    sent: ClassVar[list[OutboundMessage]] = []

    def handle_webhook(self, request: WebhookRequest, kind: str) -> WebhookResult:
        """Not used by the delivery tests."""
        raise NotImplementedError

    def send(self, message: OutboundMessage, status_callback: str | None) -> SendResult:
        """Record the message, then run the script (which may raise)."""
        type(self).sent.append(message)
        return type(self).script(message)
