"""Sending a campaign: one message per recipient, in chunks, resumable after a crash."""

from __future__ import annotations

from collections import Counter

import pytest

from channels.contract import OutboundMessage, SendResult
from services.campaigns.sender import Stop
from tests.services.campaigns.conftest import World, people
from tests.services.campaigns.fake_chat.adapter import Adapter as Chat
from tests.services.campaigns.fake_chat.adapter import accept


def test_every_recipient_gets_one_message_in_their_language(world: World) -> None:
    audience = people(7) + people(5, start=100, language="hi")
    campaign = world.campaign(audience)
    assert world.chunk(campaign).stop is Stop.EMPTY
    assert world.status(campaign) == "done"
    by_number = Counter(to for _, to, _ in Chat.sent)
    assert sorted(by_number) == sorted(r.phone for r in audience)
    assert set(by_number.values()) == {1}
    texts = {to: text for _, to, text in Chat.sent}
    assert texts["+919800000003"] == "Dear Citizen 3, water supply in Ward 7 stops on Friday."
    assert texts["+919800000100"] == "प्रिय Citizen 100, Ward 7 में Friday को पानी बंद रहेगा।"
    assert world.chunk(campaign).sent == 0  # a second run sends nothing
    assert len(Chat.sent) == 12


class Killed(BaseException):
    """The worker process dies (kill -9) while the provider call is in flight."""


def test_a_sender_killed_mid_chunk_is_taken_over_and_counted(world: World,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    calls = {"n": 0}

    def dies_on_the_sixth(message: OutboundMessage) -> SendResult:
        calls["n"] += 1
        if calls["n"] == 6:
            raise Killed
        return accept(message)

    monkeypatch.setattr(Chat, "script", staticmethod(dies_on_the_sixth))
    audience = people(20)
    campaign = world.campaign(audience)
    with pytest.raises(Killed):
        world.chunk(campaign)
    in_flight = [r.id for r in world.rows(campaign) if r.status == "sending"]
    assert in_flight  # the batch the killed sender held
    assert world.chunk(campaign).stop is Stop.EMPTY  # within the window: left alone
    assert world.status(campaign) == "running"
    world.clock.advance(world.config.inflight_seconds + 1)
    world.chunk(campaign)
    rows = world.rows(campaign)
    assert {r.status for r in rows} == {"sent"}
    assert world.status(campaign) == "done"
    by_number = Counter(to for _, to, _ in Chat.sent)
    assert set(by_number) == {r.phone for r in audience}
    twice = {n for n, c in by_number.items() if c > 1}
    flagged = {r.id for r in rows if r.takeovers}
    assert flagged == set(in_flight)
    assert len(twice) <= len(flagged) < len(audience)  # only what was in flight went twice


def test_opted_out_and_duplicate_numbers_are_left_out_and_counted(world: World) -> None:
    from services.contacts.service import get_or_create

    with world.sessions() as db:
        get_or_create(db, world.crypto, "pb.amritsar", "tel:+919800000002").opted_out = True
        db.commit()
    audience = people(5) + people(2)  # the first two again
    campaign = world.campaign(audience)
    world.chunk(campaign)
    assert sorted(to for _, to, _ in Chat.sent) == [
        "+919800000000", "+919800000001", "+919800000003", "+919800000004"]
    from services.campaigns.models import Campaign

    with world.sessions() as db:
        row = db.get_one(Campaign, campaign)
        assert row.excluded == {"duplicate": 2, "opted_out": 1}
        assert row.total == 4


def test_a_citizen_who_says_stop_mid_campaign_is_skipped(world: World) -> None:
    from services.contacts.service import get_or_create

    campaign = world.campaign(people(6))
    world.config = type(world.config)(**{**world.config.__dict__, "batch": 2,
                                         "time_budget": 0.0})
    with world.sessions() as db:
        get_or_create(db, world.crypto, "pb.amritsar", "tel:+919800000004").opted_out = True
        db.commit()
    world.config = type(world.config)(**{**world.config.__dict__, "time_budget": 20.0})
    world.chunk(campaign)
    assert "+919800000004" not in {to for _, to, _ in Chat.sent}
    skipped = [r for r in world.rows(campaign) if r.status == "skipped"]
    assert [s.error for s in skipped] == ["opted_out"]


def test_a_provider_throttle_is_honoured_and_costs_no_attempt(world: World,
                                                              monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    from datetime import timedelta

    from channels.errors import ProviderDown, Throttled
    from services.db.base import aware

    answers: list[Exception | None] = [Throttled("429", retry_after=30.0),
                                       ProviderDown("503", retry_after=7.0)]

    def busy(message: OutboundMessage) -> SendResult:
        answer = answers.pop(0) if answers else None
        if answer is not None:
            raise answer
        return accept(message)

    monkeypatch.setattr(Chat, "script", staticmethod(busy))
    campaign = world.campaign(people(2))
    world.chunk(campaign)
    first, second = world.rows(campaign)
    assert (first.status, first.error, first.attempts) == ("pending", "throttled", 0)
    assert aware(first.due_at or world.clock()) == world.clock() + timedelta(seconds=30)
    assert (second.status, second.error, second.attempts) == ("pending", "provider_down", 1)
    assert aware(second.due_at or world.clock()) == world.clock() + timedelta(seconds=7)
    world.clock.advance(8)
    world.chunk(campaign)
    assert [r.status for r in world.rows(campaign)] == ["pending", "sent"]
    world.clock.advance(30)
    world.chunk(campaign)
    assert [r.status for r in world.rows(campaign)] == ["sent", "sent"]
    assert world.status(campaign) == "done"
