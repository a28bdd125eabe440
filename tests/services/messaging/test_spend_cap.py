"""The daily spend cap: paid sends stop at the city's cap, wait without losing anything,
give their reservation back when they do not go out, and the city is alerted once."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from channels.contract import OutboundMessage, SendResult
from channels.errors import SendError
from services.db.base import aware
from services.messaging.attempt import Code, Outcome
from services.messaging.models import DailySpend
from services.messaging.prices import DEFAULT_PRICES_PAISE, price_of, price_table
from services.messaging.spend import day_total, spend_day, until_next_day
from services.tenancy.models import Tenant
from tests.services.messaging.conftest import TENANT, World
from tests.services.messaging.fake_channel.adapter import Adapter, accept

PRICE = 25


@pytest.fixture
def paid(world: World) -> World:
    """The fake channel costs 25 paise a send; the city may spend 100 paise a day."""
    world.config = replace(world.config, prices={Adapter.channel_type: PRICE},
                           daily_cap_paise=4 * PRICE)
    return world


def spent(world: World) -> tuple[int, int]:
    """Today's (paise, sends) for the city."""
    with world.sessions() as db:
        total = day_total(db, TENANT, world.clock(), world.config.daily_cap_paise)
    return total.spent_paise, total.sends


def test_sends_stop_at_the_cap_and_wait_without_an_attempt(paid: World,
                                                           caplog: pytest.LogCaptureFixture
                                                           ) -> None:
    ids = [paid.queue(f"reply {i}") for i in range(6)]
    with caplog.at_level(logging.ERROR, logger="services.messaging.spend"):
        outcomes = [paid.deliver(i) for i in ids]
    assert outcomes == [Outcome.SENT] * 4 + [Outcome.THROTTLED] * 2
    assert len(Adapter.sent) == 4
    assert spent(paid) == (100, 4)
    for held in ids[4:]:
        item, message = paid.row(held)
        assert (item.status, item.attempts, item.last_error) == ("pending", 0, Code.SPEND_CAP)
        assert message.status == "pending"
        assert aware(item.next_attempt_at) == paid.clock() + timedelta(
            seconds=min(300.0, until_next_day(paid.clock())))
    alerts = [r.getMessage() for r in caplog.records]
    assert sum(a.startswith("spend_cap_warning") for a in alerts) == 1  # 80% crossed once
    assert sum(a.startswith("spend_cap_reached") for a in alerts) == 1  # not once per send


def test_a_raised_cap_lets_held_sends_go(paid: World) -> None:
    ids = [paid.queue(f"reply {i}") for i in range(5)]
    assert [paid.deliver(i) for i in ids][-1] is Outcome.THROTTLED
    with paid.sessions() as db:
        db.add(Tenant(id=TENANT, code="AMR", names={"en": "Amritsar"},
                      daily_spend_cap_paise=10 * PRICE))
        db.commit()
    paid.clock.advance(300)
    assert paid.deliver(ids[-1]) is Outcome.SENT
    assert spent(paid) == (125, 5)


def test_a_citys_own_cap_then_its_states_then_the_default(paid: World) -> None:
    with paid.sessions() as db:
        db.add(Tenant(id="pb", code="PB", names={}, daily_spend_cap_paise=PRICE))
        db.add(Tenant(id=TENANT, parent_id="pb", code="AMR", names={}))
        db.commit()
    first, second = paid.queue("one"), paid.queue("two")
    assert paid.deliver(first) is Outcome.SENT
    assert paid.deliver(second) is Outcome.THROTTLED  # the state's 25 paise, not the default
    with paid.sessions() as db:
        db.get_one(Tenant, TENANT).daily_spend_cap_paise = 0
        db.commit()
    paid.clock.advance(300)
    assert paid.deliver(second) is Outcome.THROTTLED  # 0 stops every paid send


def test_a_send_that_fails_gives_its_reservation_back(paid: World,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(message: OutboundMessage) -> SendResult:
        raise SendError("invalid_number", retryable=False)

    paid.script(monkeypatch, refuse)
    assert paid.deliver(paid.queue()) is Outcome.FAILED
    assert spent(paid) == (0, 0)
    paid.script(monkeypatch, accept)
    assert paid.deliver(paid.queue()) is Outcome.SENT
    assert spent(paid) == (PRICE, 1)


def test_free_channels_are_not_counted(world: World) -> None:
    world.config = replace(world.config, prices={}, daily_cap_paise=0)
    assert world.deliver(world.queue()) is Outcome.SENT
    with world.sessions() as db:
        assert db.query(DailySpend).count() == 0


def test_a_new_indian_day_opens_a_new_cap(paid: World) -> None:
    paid.clock.moment = datetime(2026, 12, 2, 18, 29, tzinfo=UTC)  # 23:59 IST
    ids = [paid.queue(f"reply {i}") for i in range(5)]
    assert [paid.deliver(i) for i in ids][-1] is Outcome.THROTTLED
    item, _ = paid.row(ids[-1])
    assert aware(item.next_attempt_at) == datetime(2026, 12, 2, 18, 30, tzinfo=UTC)
    paid.clock.advance(60)  # 00:00 IST on 3 December
    assert spend_day(paid.clock()).isoformat() == "2026-12-03"
    assert paid.deliver(ids[-1]) is Outcome.SENT
    assert spent(paid) == (PRICE, 1)


def test_prices_per_segment_and_outside_the_whatsapp_window() -> None:
    prices = price_table({"exotel-sms": 20})
    assert price_of(prices, "exotel-sms", "short", window_open=True) == 20
    assert price_of(prices, "exotel-sms", "x" * 200, window_open=True) == 40  # two GSM parts
    assert price_of(prices, "exotel-sms", "नमस्ते " * 20, window_open=True) == 60  # UCS-2
    assert price_of(prices, "whatsapp-cloud", "hi", window_open=True) == 0
    assert price_of(prices, "whatsapp-cloud", "hi", window_open=False) == DEFAULT_PRICES_PAISE[
        "whatsapp-cloud"]
    assert price_of(prices, "telegram", "hi", window_open=False) == 0
    with pytest.raises(ValueError, match="negative send price for msg91-sms"):
        price_table({"msg91-sms": -1})
