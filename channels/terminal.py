"""The protocol of a terminal phone: speak to the gateway as a provider would, show replies."""

from __future__ import annotations

from typing import Protocol


class TerminalPhone(Protocol):
    """A citizen's handset simulated in a terminal."""

    def send(self, text: str) -> None:
        """Deliver one message from the citizen to the gateway, as the provider would."""

    def receive(self, timeout: float) -> list[str]:
        """Messages the phone received since the last call, waiting up to `timeout` seconds."""
