"""A chat provider whose sends run the test's script and are recorded per number."""

from __future__ import annotations

import threading
from typing import ClassVar

from channels.base import ChannelAdapter
from channels.contract import (
    Capabilities,
    Medium,
    OutboundMessage,
    RateLimit,
    SendResult,
    WebhookRequest,
    WebhookResult,
)
from tests.services.messaging.fake_channel.adapter import Send, accept

__all__ = ["Adapter", "Send", "accept"]


class Adapter(ChannelAdapter):
    """Sends run `script`; `sent` keeps (channel type, number, text) of every call."""

    channel_type = "fake-chat"
    medium = Medium.WHATSAPP
    capabilities = Capabilities(account_rate=RateLimit(1000))
    script: ClassVar[Send] = accept
    sent: ClassVar[list[tuple[str, str, str]]] = []
    lock = threading.Lock()

    def handle_webhook(self, request: WebhookRequest, kind: str) -> WebhookResult:
        """Not used by the campaign tests."""
        raise NotImplementedError

    def send(self, message: OutboundMessage, status_callback: str | None) -> SendResult:
        """Record, then run the script (which may raise)."""
        with Adapter.lock:
            Adapter.sent.append((self.channel_type, message.to, message.text))
        return type(self).script(message)
