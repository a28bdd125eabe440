"""Preview, dry run and test send: what staff see before anything goes to citizens."""

from __future__ import annotations

from services.campaigns import control, estimate
from services.campaigns.models import Campaign, CampaignSend
from services.campaigns.recipients import OptedOut, Recipient
from services.contacts.service import get_or_create
from tests.services.campaigns.conftest import TENANT, World, people
from tests.services.campaigns.fake_chat.adapter import Adapter as Chat

PRICES = {"fake-sms": 25, "fake-chat": 80}


def test_preview_renders_each_language_with_segments_cost_and_drain_time(world: World
                                                                         ) -> None:
    audience = people(30) + people(10, start=100, language="hi")
    campaign = world.campaign(audience, steps=[world.sms_id], start=False)
    with world.sessions() as db:
        found = estimate.preview(db, world.crypto, db.get_one(Campaign, campaign), PRICES)
    en, hi = found.languages
    assert (en.language, en.recipients, en.encoding, en.segments) == ("en", 30, "GSM-7", 1)
    assert en.text == "Dear Citizen 0, water supply in Ward 7 stops on Friday."
    assert (hi.language, hi.recipients, hi.encoding, hi.segments) == ("hi", 10, "UCS-2", 1)
    assert found.cost_paise == {"fake-sms": 40 * 25}
    assert found.rate_per_second is None and found.drain_seconds is None  # unlimited fake SMS
    chat = world.campaign(audience, start=False)
    with world.sessions() as db:
        on_chat = estimate.preview(db, world.crypto, db.get_one(Campaign, chat), PRICES)
    assert on_chat.rate_per_second == 900  # 90% of the account's 1000/s is the bulk share
    assert on_chat.drain_seconds is not None and abs(on_chat.drain_seconds - 40 / 900) < 1e-9
    assert on_chat.cost_paise == {"fake-chat": 40 * 80}


def test_a_dry_run_counts_and_prices_without_writing_or_sending(world: World) -> None:
    with world.sessions() as db:
        get_or_create(db, world.crypto, TENANT, "tel:+919800000001").opted_out = True
        db.commit()
    campaign = world.campaign([], steps=[world.sms_id], start=False)
    long_text = "x" * 200
    audience = [*people(4), people(1)[0],
                Recipient("+919800000009", "en", long_text, {"ward": "W", "day": "D"}),
                Recipient("+919800000010", "en", "No Vars")]
    with world.sessions() as db:
        found = estimate.dry_run(db, world.crypto, db.get_one(Campaign, campaign), audience,
                                 OptedOut(world.crypto), PRICES)
        assert db.query(CampaignSend).count() == 0
    assert found.recipients == 4
    assert found.excluded == {"duplicate": 1, "opted_out": 1}
    assert found.errors == {"missing_variable": 1}
    assert found.cost_paise == {"fake-sms": 4 * 25}  # a flat price: not a per-segment type
    assert Chat.sent == []


def test_a_test_send_goes_to_staff_only_and_is_not_counted(world: World) -> None:
    campaign = world.campaign(people(3), start=False)
    staff = [Recipient("+919800000001", "en", "Officer", {"ward": "W", "day": "D"})]
    with world.sessions() as db:
        row = db.get_one(Campaign, campaign)
        control.test_send(db, world.crypto, row, staff, actor="staff:m1")
        db.commit()
    world.chunk(campaign, test=True)
    assert [to for _, to, _ in Chat.sent] == ["+919800000001"]
    assert world.status(campaign) == "draft"
    world.act(campaign, "submit")
    world.act(campaign, "start")
    world.chunk(campaign)
    assert sorted(to for _, to, _ in Chat.sent) == sorted(
        ["+919800000001", "+919800000000", "+919800000001", "+919800000002"])
    with world.sessions() as db:
        assert db.get_one(Campaign, campaign).total == 3
