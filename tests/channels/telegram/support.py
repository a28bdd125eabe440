"""Shared pieces of the Telegram tests: the test bot's credentials and the running simulator."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import pytest

BOT_TOKEN = "7123456789:AAHk3Jx9Qm2Lr8Tz5Vb1Nc4Wd7Ye0Fg6Hu3"
SECRET = "nagarsetu_pb-amritsar_9f8e7d6c5b4a"
BOT = "NagarSetuAmritsarBot"
CITIZEN = "5123456789"


@dataclass
class FakeTelegram:
    """The running simulator and the updates posted to our stand-in webhook."""

    base_url: str
    updates: list[tuple[dict[str, str], dict[str, Any]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def api_base(self) -> str:
        """What an account's `api_base` must be to talk to the simulator."""
        return self.base_url + "/sim/telegram/bot"

    @property
    def webhook_url(self) -> str:
        """A receiver standing in for the gateway's webhook route."""
        return self.base_url + "/hooks/telegram"

    def account(self, **overrides: str) -> dict[str, str]:
        """A bot account config pointing at the simulator."""
        return {"bot_token": BOT_TOKEN, "secret_token": SECRET, "address": BOT,
                "api_base": self.api_base, **overrides}

    def wait_updates(self, count: int, timeout: float = 5.0) -> list[tuple[dict[str, str],
                                                                          dict[str, Any]]]:
        """(headers, update) posted to the webhook, once at least `count` arrived."""
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                got = list(self.updates)
            if len(got) >= count:
                return got
            if time.monotonic() > deadline:
                pytest.fail(f"expected {count} update(s), got {len(got)}")
            time.sleep(0.01)


