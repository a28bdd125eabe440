"""Telegram's flood limits, kept per process: about 30 messages/s per bot and 1/s per chat.

Each limit is a token bucket written as GCRA (a "theoretical arrival time" per key), so a
reservation is one comparison and one assignment under a lock. A sender reserves a slot, then
sleeps until it; a slot further away than `max_wait` is not taken and the caller is Throttled,
so the outbox reschedules the message instead of a worker sleeping for long.

Limits across processes (Redis buckets) come with the campaigns work; until then each worker
process keeps its own buckets and Telegram's 429 `retry_after` is the backstop.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from channels.errors import Throttled

PRUNE_AT = 4096
"""Forget recovered chats once this many are tracked."""


@dataclass(frozen=True)
class Rate:
    """A sustained rate with a burst allowance (burst 1: strict spacing)."""

    per_second: float
    burst: int = 1

    @property
    def interval(self) -> float:
        """Seconds between messages at the sustained rate."""
        return 1.0 / self.per_second

    @property
    def tolerance(self) -> float:
        """How far ahead of the sustained rate a burst may run."""
        return (self.burst - 1) * self.interval


BOT_RATE = Rate(30.0, burst=30)
CHAT_RATE = Rate(1.0, burst=3)
"""One a second per chat; a conversation's occasional quick pair or triple is let through, as
Telegram allows short bursts in a chat, while a notification stream is spaced a second apart."""


class FloodLimiter:
    """Process-local buckets per bot and per (bot, chat); thread-safe; the clock is injectable."""

    def __init__(self, bot: Rate = BOT_RATE, chat: Rate = CHAT_RATE, max_wait: float = 5.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.bot, self.chat, self.max_wait, self.clock = bot, chat, max_wait, clock
        self._arrival: dict[tuple[str, ...], float] = {}
        self._lock = threading.Lock()

    def _earliest(self, key: tuple[str, ...], rate: Rate, now: float) -> float:
        """When the next message under this key conforms to its rate."""
        return self._arrival.get(key, now) - rate.tolerance

    def _book(self, key: tuple[str, ...], rate: Rate, at: float) -> None:
        """Account for a message sent at `at`."""
        self._arrival[key] = max(self._arrival.get(key, at), at) + rate.interval

    def reserve(self, bot: str, chat: str) -> float:
        """Book the next slot for a message to `chat`; seconds to wait before sending it.

        Raises Throttled (with the wait as retry_after) rather than book a slot beyond max_wait.
        """
        with self._lock:
            now = self.clock()
            bot_key, chat_key = (bot,), (bot, chat)
            start = max(now, self._earliest(bot_key, self.bot, now),
                        self._earliest(chat_key, self.chat, now))
            wait = start - now
            if wait > self.max_wait:
                raise Throttled("telegram flood limit (local)", retry_after=wait)
            # The bot's budget counts the message now: booking its future slot would push the
            # bot's clock ahead and hold back other chats that are free to go.
            self._book(bot_key, self.bot, now)
            self._book(chat_key, self.chat, start)
            if len(self._arrival) > PRUNE_AT:
                self._arrival = {k: t for k, t in self._arrival.items() if t > now}
            return wait


LIMITER = FloodLimiter()
"""The process's limiter, shared by every bot client."""
