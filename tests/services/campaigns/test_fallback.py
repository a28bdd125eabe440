"""Fallback per recipient: SMS when the chat send fails, is reported failed, or stays
undelivered past the campaign's fallback time; counters follow the status callbacks."""

from __future__ import annotations

from collections import Counter

import pytest

from channels.contract import DeliveryStatus, OutboundMessage, SendResult, StatusUpdate
from channels.errors import RecipientInvalid
from services.accounts.models import ChannelAccount
from services.campaigns import report
from services.campaigns.models import Campaign
from services.campaigns.runner import tick
from services.campaigns.status import apply_campaign_status
from tests.services.campaigns.conftest import World, people
from tests.services.campaigns.fake_chat.adapter import Adapter as Chat
from tests.services.campaigns.fake_chat.adapter import accept
from tests.services.campaigns.test_schedule import Collect


def _channels(world: World) -> Counter[str]:
    """Sends per channel type."""
    return Counter(channel for channel, _, _ in Chat.sent)


def _callback(world: World, account_id: str, external_id: str, status: DeliveryStatus,
              code: str | None = None) -> bool:
    """A provider's status callback, as the webhook applies it."""
    with world.sessions() as db:
        changed = apply_campaign_status(db, db.get_one(ChannelAccount, account_id),
                                        StatusUpdate(external_id, status, code))
        db.commit()
    return changed


def test_a_chat_send_that_fails_goes_by_sms(world: World, monkeypatch: pytest.MonkeyPatch
                                           ) -> None:
    def no_whatsapp_for_odd(message: OutboundMessage) -> SendResult:
        if int(message.to[-1]) % 2:
            raise RecipientInvalid("not on WhatsApp")
        return accept(message)

    monkeypatch.setattr(Chat, "script", staticmethod(no_whatsapp_for_odd))
    campaign = world.campaign(people(6), steps=[world.chat_id, world.sms_id])
    world.chunk(campaign)
    assert _channels(world) == {"fake-chat": 6, "fake-sms": 3}
    rows = world.rows(campaign)
    assert sum(r.fallen_back for r in rows) == 3
    assert {r.account_id for r in rows if r.fallen_back} == {world.sms_id}
    with world.sessions() as db:
        figures = report.counters(db, db.get_one(Campaign, campaign))
    assert (figures.sent, figures.fallen_back, figures.failed) == (6, 3, {})


def test_without_a_fallback_a_failure_is_counted_by_reason(world: World,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    def refuse(message: OutboundMessage) -> SendResult:
        raise RecipientInvalid("bad number")

    monkeypatch.setattr(Chat, "script", staticmethod(refuse))
    campaign = world.campaign(people(3))
    world.chunk(campaign)
    with world.sessions() as db:
        figures = report.counters(db, db.get_one(Campaign, campaign))
    assert figures.failed == {"recipient_invalid": 3}
    assert world.status(campaign) == "done"


def test_undelivered_within_the_fallback_time_goes_by_sms(world: World) -> None:
    campaign = world.campaign(people(4), steps=[world.chat_id, world.sms_id],
                              fallback_seconds=600)
    world.chunk(campaign)
    rows = world.rows(campaign)
    assert _callback(world, world.chat_id, rows[0].external_id or "", DeliveryStatus.DELIVERED)
    assert _callback(world, world.chat_id, rows[1].external_id or "", DeliveryStatus.READ)
    assert not _callback(world, world.chat_id, rows[1].external_id or "",
                         DeliveryStatus.DELIVERED)  # late: never backwards
    assert _callback(world, world.chat_id, rows[2].external_id or "", DeliveryStatus.FAILED,
                     "131026")
    world.chunk(campaign)  # the failed one goes by SMS at once
    assert _channels(world) == {"fake-chat": 4, "fake-sms": 1}
    assert world.status(campaign) == "running"  # row 3 still within its fallback time
    world.clock.advance(601)
    tick(world.sessions, Collect(), parallel=1, stall_seconds=0, now=world.clock())
    world.chunk(campaign)
    assert _channels(world) == {"fake-chat": 4, "fake-sms": 2}
    with world.sessions() as db:
        figures = report.counters(db, db.get_one(Campaign, campaign))
    assert (figures.delivered, figures.read, figures.fallen_back) == (2, 1, 2)
    world.clock.advance(1)
    tick(world.sessions, Collect(), parallel=1, stall_seconds=0, now=world.clock())
    assert world.status(campaign) == "done"


def test_a_callback_for_another_account_or_id_changes_nothing(world: World) -> None:
    campaign = world.campaign(people(1))
    world.chunk(campaign)
    external = world.rows(campaign)[0].external_id or ""
    assert not _callback(world, world.sms_id, external, DeliveryStatus.DELIVERED)
    assert not _callback(world, world.chat_id, "ext-unknown", DeliveryStatus.DELIVERED)
    assert world.rows(campaign)[0].status == "sent"


def test_a_recipient_known_on_sms_starts_there(world: World) -> None:
    from dataclasses import replace

    audience = people(3)
    audience[1] = replace(audience[1], channel="sms")
    audience[2] = replace(audience[2], channel="telegram")  # no such step: the first step
    campaign = world.campaign(audience, steps=[world.chat_id, world.sms_id])
    world.chunk(campaign)
    by_number = {to: channel for channel, to, _ in Chat.sent}
    assert by_number == {audience[0].phone: "fake-chat", audience[1].phone: "fake-sms",
                         audience[2].phone: "fake-chat"}
    assert not any(r.fallen_back for r in world.rows(campaign))
