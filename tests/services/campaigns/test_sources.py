"""Audience sources of a campaign: an uploaded CSV and the three queries, expanded with the
campaign's exclusions (one count), known recipients started on the medium they use."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from payments.models import Bill
from services.accounts.models import ChannelAccount
from services.campaigns import control, sources
from services.campaigns.models import Campaign, CampaignSend
from services.campaigns.spec import CampaignError
from services.consent.record import opt_out
from services.contacts.models import Contact
from services.contacts.service import get_or_create
from services.messaging.models import Message
from services.security.crypto import Crypto
from services.tenancy.models import Locality, Ward
from tests.services.grievances.helpers import AMRITSAR, file

TEXT = {"en": "Dear {name}, see you at {place}."}


def _account(db: Session, channel_type: str) -> ChannelAccount:
    found = db.scalar(select(ChannelAccount).where(ChannelAccount.tenant_id == AMRITSAR,
                                                   ChannelAccount.channel_type == channel_type))
    assert found is not None
    return found


def _campaign(db: Session, steps: list[str], purpose: str = "transactional",
              content: dict[str, str] | None = None) -> Campaign:
    return control.create(db, tenant_id=AMRITSAR, actor="staff:m1", draft=control.Draft(
        "camp", purpose, steps, {s: content or TEXT for s in steps}))


def _contact(db: Session, crypto: Crypto, number: str, language: str | None = None) -> Contact:
    contact = get_or_create(db, crypto, AMRITSAR, f"tel:{number}")
    contact.language = language
    db.flush()
    return contact


def _rows(db: Session, campaign: Campaign) -> list[CampaignSend]:
    return list(db.scalars(select(CampaignSend).where(
        CampaignSend.campaign_id == campaign.id).order_by(CampaignSend.id)))


def test_a_csv_with_bad_rows_duplicates_and_exclusions(db: Session, crypto: Crypto) -> None:
    sms, chat = _account(db, "twilio-sms"), _account(db, "whatsapp-cloud")
    stopped = _contact(db, crypto, "+919876500002")
    opt_out(db, stopped, opted_out=True, channel_type="twilio-sms")
    known = _contact(db, crypto, "+919876500003", language="pa")
    db.add(Message(tenant_id=AMRITSAR, account_id=chat.id, contact_id=known.id,
                   direction="in", body_enc=crypto.encrypt("hi")))
    db.flush()
    campaign = _campaign(db, [sms.id, chat.id])
    upload = ("phone,name,language,place\n"
              "98765 00001,Asha,hi,the camp\n"      # 2
              "9876500002,Stopped,,the camp\n"      # 3: said STOP
              "12345,Bad,,x\n"                      # 4: not a number
              "+91 98765-00001,Again,,x\n"          # 5: Asha again
              "9876500003,Known,en,the camp\n"      # 6: known, writes on WhatsApp
              "9876500004,Who,xx,x\n"               # 7: unknown language
              "\n"
              "9876500005,,,the hall\n")            # 9: no name, no language
    added = sources.from_csv(db, crypto, campaign, io.StringIO(upload, newline=""))
    assert [(e.line, e.code) for e in added.errors] == [
        (4, "invalid_phone"), (5, "duplicate"), (7, "unknown_language")]
    answer = added.as_dict()
    assert (answer["written"], answer["excluded"], answer["duplicates"], answer["refused"],
            answer["blank_lines"]) == (3, {"opted_out": 1}, 1, 3, 1)
    rows = _rows(db, campaign)
    mine = next(r for r in rows if r.contact_id == known.id)
    assert mine.language == "pa" and mine.step == 1  # their own language, their WhatsApp
    assert [(r.language, r.step) for r in rows] == [("hi", 0), ("pa", 1), ("en", 0)]
    assert campaign.total == 3 and campaign.excluded == {"opted_out": 1}
    # a second upload: a number already in the campaign is a duplicate, not an error
    again = sources.from_csv(db, crypto, campaign,
                             ["mobile,place\n", "9876500001,x\n", "9876500006,y\n"])
    assert (again.written, again.excluded, again.duplicates) == (1, {"duplicate": 1}, 1)
    assert campaign.total == 4


def test_a_csv_whose_header_cannot_be_used_is_refused(db: Session, crypto: Crypto) -> None:
    campaign = _campaign(db, [_account(db, "twilio-sms").id])
    with pytest.raises(CampaignError) as refused:
        sources.from_csv(db, crypto, campaign, ["name,place\n", "Asha,x\n"])
    assert (refused.value.code, refused.value.status) == ("no_phone_column", 422)
    with pytest.raises(CampaignError, match="empty_file"):
        sources.from_csv(db, crypto, campaign, [])
    assert campaign.total == 0


def test_a_missing_variable_row_is_written_and_fails_visibly(db: Session,
                                                             crypto: Crypto) -> None:
    """A CSV row without a column the text needs is no row error: the dry run counts it
    `missing_variable` (the campaign's own check), the parser only sees its fields."""
    campaign = _campaign(db, [_account(db, "twilio-sms").id])
    added = sources.from_csv(db, crypto, campaign, ["phone,name\n", "9876500001,Asha\n"])
    assert added.written == 1 and added.errors == []


def test_queries_as_sources(db: Session, crypto: Crypto) -> None:
    sms = _account(db, "twilio-sms")
    a = _contact(db, crypto, "+919876500021", language="hi")
    b = _contact(db, crypto, "+919876500022")
    c = _contact(db, crypto, "+919876500023")
    for who in (a, b, c):
        file(db, crypto, contact_id=who.id)
    opt_out(db, c, opted_out=True, channel_type="twilio-sms")
    ward = db.scalar(select(Ward.code).join(Locality, Locality.ward_id == Ward.id).where(
        Locality.tenant_id == AMRITSAR, Locality.code == "hall-bazaar"))
    assert ward is not None
    by_ward = _campaign(db, [sms.id], content={"en": "Dear {name}, ward {ward}."})
    added = sources.from_query(db, crypto, by_ward, "ward", ward=ward)
    assert (added.written, added.excluded) == (2, {"opted_out": 1})
    assert sorted(r.language for r in _rows(db, by_ward)) == ["en", "hi"]
    filers = _campaign(db, [sms.id], content={"en": "{category} update"})
    assert sources.from_query(db, crypto, filers, "grievances",
                              category="garbage").excluded == {"opted_out": 1}
    today = date(2026, 12, 3)
    for n, due in ((31, 2), (32, 9)):
        db.add(Bill(tenant_id=AMRITSAR, service="water", consumer_no=f"C{n}", bill_no=f"B{n}",
                    period_start=today - timedelta(days=30), period_end=today,
                    amount_paise=12345, due_date=today + timedelta(days=due), status="unpaid",
                    mobile_hash=crypto.lookup_hash(f"+9198765000{n}"),
                    mobile_enc=crypto.encrypt(f"+9198765000{n}")))
    db.flush()
    bills = _campaign(db, [sms.id], content={"en": "Bill {bill_no}: {amount} by {due}"})
    found = sources.from_query(db, crypto, bills, "bills_due", within_days=7, today=today)
    assert found.written == 1 and bills.total == 1
    with pytest.raises(CampaignError, match="unknown_ward"):
        sources.from_query(db, crypto, bills, "ward", ward="W99")
    with pytest.raises(CampaignError, match="invalid_query"):
        sources.from_query(db, crypto, bills, "bills_due")  # no day count
    with pytest.raises(CampaignError, match="unknown_category"):
        sources.from_query(db, crypto, bills, "grievances", category="potholes")


def test_promotional_sources_reach_only_those_who_granted(db: Session, crypto: Crypto) -> None:
    campaign = _campaign(db, [_account(db, "twilio-sms").id], purpose="promotional")
    added = sources.from_csv(db, crypto, campaign, ["phone\n", "9876500041\n"])
    assert (added.written, added.excluded) == (0, {"no_consent": 1})
    assert campaign.excluded == {"no_consent": 1}


def test_only_drafts_take_an_audience(db: Session, crypto: Crypto) -> None:
    campaign = _campaign(db, [_account(db, "twilio-sms").id])
    sources.from_csv(db, crypto, campaign, ["phone,place\n", "9876500051,x\n"])
    control.act(db, campaign, "submit", actor="staff:m1", now=campaign.created_at)
    with pytest.raises(CampaignError, match="invalid_state"):
        sources.from_csv(db, crypto, campaign, ["phone\n", "9876500052\n"])
    with pytest.raises(CampaignError, match="invalid_state"):
        sources.from_query(db, crypto, campaign, "ward", ward="W01")
