"""Quiet hours: promotional and service-explicit only 10:00-21:00 IST; transactional any time."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from services.campaigns.runner import tick
from services.campaigns.schedule import may_send, next_window, parse_ist
from services.campaigns.sender import Stop
from services.db.base import IST
from tests.services.campaigns.conftest import World, people
from tests.services.campaigns.fake_chat.adapter import Adapter as Chat


@pytest.mark.parametrize(("clock", "purpose", "allowed"), [
    ("09:59", "promotional", False), ("10:00", "promotional", True),
    ("20:59", "service_explicit", True), ("21:00", "service_explicit", False),
    ("03:00", "transactional", True), ("23:30", "transactional", True),
])
def test_quiet_hours_by_purpose(clock: str, purpose: str, allowed: bool) -> None:
    moment = parse_ist(f"2026-12-03T{clock}")
    assert may_send(purpose, moment) is allowed
    assert may_send(purpose, moment.astimezone(IST).replace(tzinfo=None).replace(
        tzinfo=IST)) is allowed


def test_the_next_window_opens_at_ten_ist() -> None:
    late = datetime(2026, 12, 3, 22, 15, tzinfo=IST)
    assert next_window("promotional", late) == datetime(2026, 12, 4, 10, 0, tzinfo=IST)
    early = datetime(2026, 12, 3, 6, 0, tzinfo=IST)
    assert next_window("promotional", early) == datetime(2026, 12, 3, 10, 0, tzinfo=IST)
    assert next_window("transactional", late) == late
    assert parse_ist("2026-12-03T10:00").utcoffset() == timedelta(hours=5, minutes=30)


def test_a_promotional_campaign_waits_for_ten_and_a_transactional_one_does_not(
        world: World) -> None:
    world.clock.moment = datetime(2026, 12, 3, 21, 30, tzinfo=IST)
    world.grant(people(3), "promotional")  # promotional: only to those who asked for it
    promo = world.campaign(people(3), purpose="promotional")
    notice = world.campaign(people(2, start=50), purpose="transactional")
    assert world.chunk(promo).stop is Stop.QUIET
    assert Chat.sent == []
    world.chunk(notice)
    assert len(Chat.sent) == 2
    world.clock.moment = datetime(2026, 12, 4, 9, 59, tzinfo=IST)
    assert world.chunk(promo).stop is Stop.QUIET
    world.clock.moment = datetime(2026, 12, 4, 10, 0, tzinfo=IST)
    world.chunk(promo)
    assert len(Chat.sent) == 5


class Collect:
    """A runner that remembers which campaigns got chunks."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, int]] = []

    def chunks(self, campaign_id: str, count: int, *, test: bool = False) -> None:
        """Remember."""
        self.asked.append((campaign_id, count))


def test_a_scheduled_campaign_is_started_by_the_tick_at_its_time(world: World) -> None:
    campaign = world.campaign(people(2), start=False)
    world.act(campaign, "submit")
    from services.campaigns.models import Campaign

    with world.sessions() as db:
        db.get_one(Campaign, campaign).scheduled_at = world.clock() + timedelta(minutes=5)
        db.commit()
    runner = Collect()
    assert tick(world.sessions, runner, parallel=3, stall_seconds=15, now=world.clock()) == 0
    assert world.status(campaign) == "scheduled"
    later = world.clock() + timedelta(minutes=5)
    assert tick(world.sessions, runner, parallel=3, stall_seconds=15, now=later) == 1
    assert (world.status(campaign), runner.asked) == ("running", [(campaign, 3)])
    # moving: no new chunks; stalled (no progress for the stall time): chunks again
    assert tick(world.sessions, runner, parallel=3, stall_seconds=15,
                now=later + timedelta(seconds=5)) == 0
    assert tick(world.sessions, runner, parallel=3, stall_seconds=15,
                now=later + timedelta(seconds=20)) == 1
