"""Flood limits on a fake clock: per-chat spacing, the per-bot rate, handing back to the outbox."""

from __future__ import annotations

import pytest

from channels.contract import OutboundMessage
from channels.errors import Throttled
from channels.registry import build_adapter
from channels.telegram import simulator
from channels.telegram.adapter import Adapter
from channels.telegram.client import BotClient
from channels.telegram.limits import BOT_RATE, CHAT_RATE, FloodLimiter, Rate
from tests.channels.telegram.support import CITIZEN, FakeTelegram


class Clock:
    """A clock that only moves when told (or when something sleeps on it)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        """The current fake time."""
        return self.now

    def sleep(self, seconds: float) -> None:
        """Record the sleep and let the time pass."""
        self.slept.append(round(seconds, 6))
        self.now += seconds


def test_defaults_are_telegrams_limits() -> None:
    """About 30 messages a second per bot, one a second per chat."""
    assert (BOT_RATE.per_second, CHAT_RATE.per_second) == (30.0, 1.0)


def test_one_chat_is_spaced_a_second_apart_after_a_short_burst() -> None:
    """A chat gets its burst at once, then one message a second."""
    clock = Clock()
    limiter = FloodLimiter(chat=Rate(1.0, burst=3), clock=clock)
    waits = [round(limiter.reserve("bot", CITIZEN), 6) for _ in range(6)]
    assert waits == [0.0, 0.0, 0.0, 1.0, 2.0, 3.0]


def test_strict_spacing_with_burst_one() -> None:
    """With no burst, every message waits a full second after the previous one."""
    clock = Clock()
    limiter = FloodLimiter(chat=Rate(1.0), clock=clock)
    assert limiter.reserve("bot", CITIZEN) == 0.0
    clock.now += 0.25
    assert limiter.reserve("bot", CITIZEN) == pytest.approx(0.75)
    clock.now += 5
    assert limiter.reserve("bot", CITIZEN) == 0.0  # an idle chat starts afresh


def test_other_chats_do_not_wait_for_a_busy_one() -> None:
    """Spacing is per chat: a stream to one citizen does not delay another."""
    clock = Clock()
    limiter = FloodLimiter(chat=Rate(1.0), clock=clock)
    limiter.reserve("bot", CITIZEN)
    assert limiter.reserve("bot", CITIZEN) == pytest.approx(1.0)
    assert limiter.reserve("bot", "5987654321") == 0.0


def test_the_bot_as_a_whole_sends_thirty_a_second() -> None:
    """Sixty chats at once: the first 30 go now, the next 30 at 1/30 s intervals."""
    clock = Clock()
    limiter = FloodLimiter(max_wait=10, clock=clock)
    waits = [limiter.reserve("bot", str(chat)) for chat in range(60)]
    assert waits[:30] == [0.0] * 30
    assert waits[30:] == pytest.approx([(i + 1) / 30 for i in range(30)])


def test_bots_are_limited_separately() -> None:
    """Two bots (two cities) each get their own 30 a second."""
    clock = Clock()
    limiter = FloodLimiter(bot=Rate(30.0, burst=1), clock=clock)
    assert limiter.reserve("amritsar", "1") == 0.0
    assert limiter.reserve("ludhiana", "1") == 0.0
    assert limiter.reserve("amritsar", "2") == pytest.approx(1 / 30)


def test_a_slot_beyond_max_wait_is_throttled_without_booking() -> None:
    """Rather than hold a worker, the limiter hands the message back to the outbox."""
    clock = Clock()
    limiter = FloodLimiter(chat=Rate(1.0), max_wait=2.0, clock=clock)
    waits = [limiter.reserve("bot", CITIZEN) for _ in range(3)]
    assert waits == [0.0, 1.0, 2.0]
    with pytest.raises(Throttled) as caught:
        limiter.reserve("bot", CITIZEN)
    assert caught.value.retry_after == pytest.approx(3.0)
    clock.now += 3.0
    assert limiter.reserve("bot", CITIZEN) == 0.0  # the refused slot was not taken


def test_recovered_chats_are_forgotten() -> None:
    """Tracking many chats does not grow without bound."""
    clock = Clock()
    limiter = FloodLimiter(clock=clock, max_wait=1e9)
    for chat in range(5000):
        limiter.reserve("bot", str(chat))
    clock.now += 3600
    limiter.reserve("bot", "x")
    assert len(limiter._arrival) < 10


def test_the_adapter_sleeps_for_its_slot(fake_telegram: FakeTelegram) -> None:
    """Three quick replies to one citizen: the client sleeps the spacing (on the fake clock)."""
    clock = Clock()
    bot = build_adapter("telegram", fake_telegram.account())
    assert isinstance(bot, Adapter)
    bot._client = BotClient(str(bot.config["bot_token"]), bot.api_base, sleep=clock.sleep,
                            limiter=FloodLimiter(chat=Rate(1.0), clock=clock))
    for text in ("one", "two", "three"):
        bot.send(OutboundMessage(CITIZEN, text), None)
    assert clock.slept == [1.0, 1.0]
    assert [m["text"] for m in simulator.sent_to(CITIZEN)] == ["one", "two", "three"]
