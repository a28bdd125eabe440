"""The protocol of a terminal phone: speak to the gateway as a provider would, show replies."""

from __future__ import annotations

import time
from typing import Protocol

import httpx


class TerminalPhone(Protocol):
    """A citizen's handset simulated in a terminal."""

    def send(self, text: str) -> None:
        """Deliver one message from the citizen to the gateway, as the provider would."""

    def receive(self, timeout: float) -> list[str]:
        """Messages the phone received since the last call, waiting up to `timeout` seconds."""


class InboxPhone:
    """A terminal phone whose replies land in a simulator's inbox at `/sim/<prefix>/phones/…`.

    Subclasses set `SIM_PREFIX` and implement `send` in their provider's wire format.
    """

    SIM_PREFIX = ""

    def __init__(self, gateway_url: str, sender: str, account: dict[str, str]) -> None:
        self.gateway = gateway_url.rstrip("/")
        self.sender = sender
        self.account = account
        self.opened()
        self.cursor = len(httpx.get(self._inbox_url(), timeout=10).json()["messages"])

    def opened(self) -> None:
        """A hook run before the inbox is first read (e.g. to register callback URLs)."""

    def _inbox_url(self) -> str:
        """The simulator's inbox URL for this phone."""
        return f"{self.gateway}/sim/{self.SIM_PREFIX}/phones/{self.sender}/inbox"

    def receive(self, timeout: float) -> list[str]:
        """New messages in the inbox, waiting up to `timeout` seconds for the first."""
        deadline = time.monotonic() + timeout
        while True:
            data = httpx.get(self._inbox_url(), params={"after": self.cursor}, timeout=10).json()
            if data["messages"] or time.monotonic() >= deadline:
                self.cursor = data["next"]
                return list(data["messages"])
            time.sleep(0.2)
