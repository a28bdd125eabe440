"""An SMS provider for campaign tests: takes every message, recorded with the chat ones."""

from __future__ import annotations

from typing import ClassVar

from channels.contract import Capabilities, DeliveryStatus, Medium, OutboundMessage, SendResult
from tests.services.campaigns.fake_chat.adapter import Adapter as Chat
from tests.services.campaigns.fake_chat.adapter import Send


def accept(message: OutboundMessage) -> SendResult:
    """The SMS provider takes every message."""
    return SendResult(f"sms-{message.reference}", DeliveryStatus.SENT)


class Adapter(Chat):
    """Same recording as the chat fake; its own script."""

    channel_type = "fake-sms"
    medium = Medium.SMS
    capabilities = Capabilities()
    script: ClassVar[Send] = accept
