"""Campaigns leave out the opted-out and the non-consenting, and count both."""

from __future__ import annotations

from services.campaigns import report
from services.campaigns.models import Campaign
from services.campaigns.recipients import NoConsent, Recipient, exclusions_for, urn_hash
from services.consent.purposes import PROMOTIONAL
from services.consent.record import grant, opt_out, withdraw
from services.contacts.service import get_or_create
from tests.services.campaigns.conftest import TENANT, World

VARS = {"ward": "Ward 7", "day": "Friday"}


def _people(*numbers: str) -> list[Recipient]:
    return [Recipient(n, "en", f"C{i}", VARS) for i, n in enumerate(numbers)]


def _seed(world: World) -> None:
    """granted (every channel), granted on SMS only, withdrew WhatsApp, silent, stopped."""
    with world.sessions() as db:
        contacts = {n: get_or_create(db, world.crypto, TENANT, f"tel:{n}")
                    for n in ("+919800000001", "+919800000002", "+919800000003",
                              "+919800000004", "+919800000005")}
        db.flush()
        grant(db, contacts["+919800000001"], PROMOTIONAL, "*", "form:camp")
        grant(db, contacts["+919800000002"], PROMOTIONAL, "sms", "form:camp")
        withdraw(db, contacts["+919800000003"], "*", "whatsapp", "staff:m1")
        opt_out(db, contacts["+919800000005"], opted_out=True, channel_type="fake-sms")
        db.commit()


ALL = ("+919800000001", "+919800000002", "+919800000003", "+919800000004", "+919800000005",
       "+919800000006")  # the last one the gateway has never seen


def test_promotional_needs_a_grant_on_every_medium_it_may_use(world: World) -> None:
    _seed(world)
    campaign_id = world.campaign(_people(*ALL), purpose="promotional",
                                 steps=[world.chat_id, world.sms_id], start=False)
    with world.sessions() as db:
        row = db.get_one(Campaign, campaign_id)
        figures = report.counters(db, row)
        assert row.total == 1  # only the one who granted it on every channel
        assert row.excluded == {"opted_out": 1, "no_consent": 4}
        assert (figures.opted_out, figures.no_consent) == (1, 4)
    sent = {world.crypto.lookup_hash(f"tel:{n}") for n in ALL[:1]}
    assert {r.address_hash for r in world.rows(campaign_id)} == sent


def test_a_service_message_reaches_everyone_who_did_not_say_no(world: World) -> None:
    _seed(world)
    campaign_id = world.campaign(_people(*ALL), purpose="transactional",
                                 steps=[world.chat_id, world.sms_id], start=False)
    with world.sessions() as db:
        row = db.get_one(Campaign, campaign_id)
        # STOP, and the withdrawal on WhatsApp (the campaign's first step): both left out
        assert row.excluded == {"opted_out": 1, "no_consent": 1}
        assert row.total == 4
    # on SMS alone the WhatsApp withdrawal does not matter
    sms_only = world.campaign(_people(*ALL), purpose="transactional", steps=[world.sms_id],
                              start=False)
    with world.sessions() as db:
        assert db.get_one(Campaign, sms_only).excluded == {"opted_out": 1}


def test_grant_on_the_campaign_s_only_medium_is_enough(world: World) -> None:
    _seed(world)
    with world.sessions() as db:
        hashes = [urn_hash(world.crypto, n) for n in ALL]
        found = NoConsent(["sms"]).excluded(db, tenant_id=TENANT, purpose=PROMOTIONAL,
                                            hashes=hashes)
        assert sorted(found.values()) == ["no_consent", "no_consent", "no_consent",
                                          "opted_out"]
        assert hashes[1] not in found  # granted on SMS
        # opted-out first in the combined rule, and another city's contacts are strangers
        both = exclusions_for(db, world.crypto, [world.sms_id]).excluded(
            db, tenant_id=TENANT, purpose="transactional", hashes=hashes)
        assert both == {hashes[4]: "opted_out"}
        other = NoConsent(["sms"]).excluded(db, tenant_id="pb.ludhiana", purpose="promotional",
                                            hashes=hashes)
        assert len(other) == len(ALL)
