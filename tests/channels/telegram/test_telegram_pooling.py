"""One Bot (and its connection pool) per Telegram adapter, reused across sends until close()."""

from __future__ import annotations

from channels.contract import OutboundMessage
from channels.registry import build_adapter
from channels.telegram import simulator
from channels.telegram.adapter import Adapter
from tests.channels.telegram.support import CITIZEN, FakeTelegram
from tests.support.pooling import connections_used
from tests.support.sim_server import CONNECTIONS

SENDS = 5


def test_sends_reuse_one_bot_and_connection(fake_telegram: FakeTelegram) -> None:
    """Five sendMessage calls: one Bot built, one connection; close() closes its pool and the
    next send builds a new Bot."""
    bot = build_adapter("telegram", fake_telegram.account())
    assert isinstance(bot, Adapter)
    CONNECTIONS.clear()
    for n in range(SENDS):
        bot.send(OutboundMessage(CITIZEN, f"update {n}"), None)
    assert bot.client.builds == 1
    assert len(connections_used("/sim/telegram/bot", SENDS)) == 1
    held = bot.client._bot
    assert held is not None
    pool = held[2]._client  # PTB's HTTPXRequest keeps its httpx.AsyncClient here
    bot.close()
    assert pool.is_closed
    bot.send(OutboundMessage(CITIZEN, "after close"), None)
    assert bot.client.builds == 2
    assert len(simulator.sent_to(CITIZEN)) == SENDS + 1
    bot.close()


def test_closing_an_unused_adapter_does_nothing(fake_telegram: FakeTelegram) -> None:
    """An adapter that only verified webhooks never built a client; close() is a no-op."""
    bot = build_adapter("telegram", fake_telegram.account())
    assert isinstance(bot, Adapter)
    bot.close()
    assert bot._client is None
