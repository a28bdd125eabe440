"""Staff controls: approval by a second person, pause / resume / cancel / abort within a second."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest

from channels.contract import OutboundMessage, SendResult
from services.campaigns import control
from services.campaigns.models import Campaign
from services.campaigns.sender import Stop
from services.campaigns.spec import CampaignError
from tests.services.campaigns.conftest import TENANT, World, people
from tests.services.campaigns.fake_chat.adapter import Adapter as Chat
from tests.services.campaigns.fake_chat.adapter import accept


def test_above_the_threshold_a_second_staff_member_must_approve(world: World) -> None:
    with world.sessions() as db:
        control.set_threshold(db, tenant_id="pb", value=3, actor="cli:admin")  # the state's
        db.commit()
    small = world.campaign(people(3), start=False)
    world.act(small, "submit")
    assert world.status(small) == "scheduled"  # at the threshold: no approval needed
    big = world.campaign(people(4, start=10), start=False)
    world.act(big, "submit")
    assert world.status(big) == "awaiting_approval"
    with pytest.raises(CampaignError) as refused:
        world.act(big, "start")
    assert refused.value.code == "invalid_state"
    with pytest.raises(CampaignError) as same:
        world.act(big, "approve", actor="staff:m1")  # the creator
    assert (same.value.code, same.value.status) == ("second_approver_required", 403)
    world.act(big, "approve", actor="staff:m2")
    world.act(big, "start", actor="staff:m1")
    world.chunk(big)
    assert len(Chat.sent) == 4
    with world.sessions() as db:
        assert db.get_one(Campaign, big).approved_by == "staff:m2"
        with pytest.raises(CampaignError):
            control.set_threshold(db, tenant_id=TENANT, value=-1, actor="x")


def _slow(message: OutboundMessage) -> SendResult:
    """A provider that takes 20 ms per message."""
    time.sleep(0.02)
    return accept(message)


def _run_in_thread(world: World, campaign: str) -> threading.Thread:
    """A chunk sending in the background, with the real quarter-second control reads."""
    config = replace(world.config, control_seconds=0.25, batch=25, settle_every=10)
    thread = threading.Thread(target=world.chunk, args=(campaign, config))
    thread.start()
    return thread


def _sent_after(stamp: float, times: list[float]) -> int:
    """How many sends happened after a moment."""
    return sum(1 for t in times if t > stamp)


@pytest.fixture
def timed(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """When each send happened (monotonic), with a 20 ms provider."""
    times: list[float] = []

    def script(message: OutboundMessage) -> SendResult:
        times.append(time.monotonic())
        return _slow(message)

    monkeypatch.setattr(Chat, "script", staticmethod(script))
    return times


def test_pause_stops_within_a_second_and_resume_sends_the_rest_once(world: World,
                                                                    timed: list[float]) -> None:
    audience = people(120)
    campaign = world.campaign(audience)
    thread = _run_in_thread(world, campaign)
    time.sleep(0.4)
    world.act(campaign, "pause")
    paused_at = time.monotonic()
    thread.join(timeout=5)
    assert not thread.is_alive()
    assert _sent_after(paused_at + 1.0, timed) == 0
    rows = world.rows(campaign)
    assert {r.status for r in rows} <= {"sent", "pending"}
    assert "pending" in {r.status for r in rows}
    assert world.chunk(campaign).stop is Stop.PAUSED  # nothing goes out while paused
    world.act(campaign, "resume")
    world.chunk(campaign, replace(world.config, batch=50))
    assert sorted(to for _, to, _ in Chat.sent) == sorted(r.phone for r in audience)
    assert world.status(campaign) == "done"


@pytest.mark.parametrize("action", ["cancel", "abort"])
def test_cancel_and_abort_stop_within_a_second_and_say_who_was_sent(world: World,
                                                                    timed: list[float],
                                                                    action: str) -> None:
    campaign = world.campaign(people(120))
    thread = _run_in_thread(world, campaign)
    time.sleep(0.4)
    world.act(campaign, action)
    stopped_at = time.monotonic()
    thread.join(timeout=5)
    assert _sent_after(stopped_at + 1.0, timed) == 0
    rows = world.rows(campaign)
    sent = {r.status for r in rows if r.status == "sent"}
    assert sent and {r.status for r in rows} == {"sent", "cancelled"}
    assert sum(r.status == "sent" for r in rows) == len(Chat.sent)
    assert world.status(campaign) == ("cancelled" if action == "cancel" else "aborted")
    with pytest.raises(CampaignError):
        world.act(campaign, "resume")


def test_actions_are_refused_from_the_wrong_state(world: World) -> None:
    campaign = world.campaign(people(2), start=False)
    for action in ("approve", "start", "pause", "resume", "abort"):
        with pytest.raises(CampaignError) as refused:
            world.act(campaign, action)
        assert refused.value.code == "invalid_state"
    empty = world.campaign([], start=False)
    with pytest.raises(CampaignError) as nobody:
        world.act(empty, "submit")
    assert nobody.value.code == "empty_audience"
