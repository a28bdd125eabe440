"""Audiences: a CSV streamed with every refused row reported, queries under consent, counts."""

from __future__ import annotations

import io
import tracemalloc
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from payments.models import Bill
from services.accounts.models import ChannelAccount
from services.campaigns.audience import (
    AudienceError,
    AudienceSummary,
    Code,
    PhoneSet,
    Recipient,
    RowError,
    bills_due,
    grievance_filers,
    parse_csv,
    resolve,
    ward_contacts,
)
from services.consent.purposes import PROMOTIONAL, REMINDER
from services.consent.record import grant, opt_out, withdraw
from services.contacts.models import Contact
from services.contacts.service import get_or_create
from services.grievances.builtin import BuiltinRegistry
from services.messaging.models import Message
from services.security.crypto import Crypto
from tests.services.grievances.helpers import LUDHIANA, file

AMRITSAR = "pb.amritsar"

BAD = """phone,language,name,ward,amount
98765 43210,hi,Asha Devi,W01,1200
+91 98765 43211,HI-in,Ravi,W02,300
,en,Nobody,W01,5
12345,en,Too Short,W01,5
98765 43210,en,Asha again,W01,1200

"09876543212",xx,Bad Language,W03,1
+919876543213,en,"Quoted, with comma",W04,7,extra
+919876543214,en,"A name
over two lines",W05,9
+919876543215
"""


def _parsed(text: str) -> list[Recipient | RowError]:
    return list(parse_csv(io.StringIO(text)))


def test_each_row_is_a_recipient_or_an_error_with_its_line() -> None:
    summary = AudienceSummary()
    items = list(parse_csv(io.StringIO(BAD), summary=summary))
    good = [i for i in items if isinstance(i, Recipient)]
    errors = [(e.line, e.code) for e in items if isinstance(e, RowError)]
    assert [r.phone for r in good] == ["+919876543210", "+919876543211", "+919876543214",
                                       "+919876543215"]
    assert good[0].language == "hi" and good[0].name == "Asha Devi"
    assert dict(good[0].variables) == {"ward": "W01", "amount": "1200"}
    assert good[1].language == "hi"  # HI-in
    assert good[2].name == "A name over two lines"
    assert good[3].language is None and dict(good[3].variables) == {"ward": "", "amount": ""}
    assert errors == [(4, Code.MISSING_PHONE), (5, Code.INVALID_PHONE), (6, Code.DUPLICATE),
                      (8, Code.UNKNOWN_LANGUAGE), (9, Code.TOO_MANY_FIELDS)]
    assert summary.rows == 9 and summary.blank_lines == 1 and summary.duplicates == 1
    assert sum(summary.errors.values()) == len(errors)


@pytest.mark.parametrize(("header", "code"), [
    ("name,language\n", Code.NO_PHONE_COLUMN),
    ("phone,mobile\n", Code.NO_PHONE_COLUMN),
    ("phone,name,Name\n", Code.DUPLICATE_COLUMN),
    ("", Code.EMPTY),
])
def test_an_unusable_header_is_one_error_and_nothing_is_read(header: str, code: str) -> None:
    assert _parsed(header + "9876543210,x\n") == [RowError(1, code)] or \
        _parsed(header) == [RowError(1, code)]


def test_a_byte_order_mark_and_header_aliases_are_understood() -> None:
    items = _parsed("\ufeffMobile,Lang\n9876543210,ta\n")
    assert items == [Recipient("+919876543210", "ta", "", {})]


def test_other_countries_keep_their_code() -> None:
    items = _parsed("phone\n+44 20 7946 0958\n+1 415 555 2671\n")
    assert [i.phone for i in items if isinstance(i, Recipient)] == ["+442079460958",
                                                                   "+14155552671"]


def test_phone_set_survives_growing() -> None:
    seen = PhoneSet(capacity=8)
    numbers = [f"+9198{n:08d}" for n in range(5000)]
    assert all(seen.add(n) for n in numbers)
    assert not any(seen.add(n) for n in numbers[::7])
    assert len(seen) == 5000


def _million(count: int) -> Iterator[str]:
    yield "phone,name,amount\n"
    for n in range(count):
        yield f"98{n % 100_000_000:08d},Citizen {n},{n % 5000}\n"
    for n in range(1000):  # the first thousand again
        yield f"+9198{n:08d},Again,1\n"


def test_a_large_file_streams_in_bounded_memory() -> None:
    """20,000 rows: the memory held does not grow with the rows, only the numbers seen."""
    count = 20_000
    tracemalloc.start()
    summary = AudienceSummary()
    good = 0
    for item in parse_csv(_million(count), summary=summary):
        good += isinstance(item, Recipient)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert good == count and summary.duplicates == 1000
    assert peak < 2 * 1024 * 1024, peak  # the PhoneSet (512 kB at this size) and a row


def _contact(db: Session, crypto: Crypto, tenant: str, number: str,
             language: str | None = None) -> Contact:
    contact = get_or_create(db, crypto, tenant, f"tel:{number}")
    contact.language = language
    db.flush()
    return contact


def _wrote(db: Session, crypto: Crypto, contact: Contact, channel_type: str) -> None:
    account = db.scalar(select(ChannelAccount).where(ChannelAccount.tenant_id == AMRITSAR,
                                                     ChannelAccount.channel_type == channel_type))
    assert account is not None
    db.add(Message(tenant_id=AMRITSAR, account_id=account.id, contact_id=contact.id,
                   direction="in", body_enc=crypto.encrypt("hi")))
    db.flush()


def test_resolve_takes_what_is_known_and_counts_exclusions(db: Session, crypto: Crypto) -> None:
    known = _contact(db, crypto, AMRITSAR, "+919876500001", language="pa")
    _wrote(db, crypto, known, "whatsapp-cloud")
    stopped = _contact(db, crypto, AMRITSAR, "+919876500002")
    opt_out(db, stopped, opted_out=True, channel_type="twilio-sms")
    no_sms = _contact(db, crypto, AMRITSAR, "+919876500003")
    withdraw(db, no_sms, REMINDER, "sms", "staff:1")
    elsewhere = _contact(db, crypto, LUDHIANA, "+919876500004")  # another city's contact
    opt_out(db, elsewhere, opted_out=True, channel_type="twilio-sms")
    csv_text = ("phone,language\n9876500001,hi\n9876500002,en\n9876500003,en\n"
                "9876500004,ta\n123,en\n")
    summary = AudienceSummary()
    out = list(resolve(db, crypto, tenant_id=AMRITSAR, purpose=REMINDER,
                       default_channel="twilio-sms",
                       items=parse_csv(io.StringIO(csv_text), summary=summary),
                       summary=summary))
    people = [i for i in out if isinstance(i, Recipient)]
    assert [(p.phone, p.language, p.channel, p.contact_id) for p in people] == [
        ("+919876500001", "pa", "whatsapp", known.id),  # their own choice, their medium
        ("+919876500004", "ta", None, None),                   # unknown here: the file's word
    ]
    assert [e.code for e in out if isinstance(e, RowError)] == [Code.INVALID_PHONE]
    assert (summary.opted_out, summary.no_consent, summary.recipients, summary.known) == \
        (1, 1, 2, 1)
    assert summary.by_channel == {"whatsapp": 1, "sms": 1}


def test_promotional_reaches_only_those_who_granted_it(db: Session, crypto: Crypto) -> None:
    yes = _contact(db, crypto, AMRITSAR, "+919876500011")
    grant(db, yes, PROMOTIONAL, "*", "form:camp")
    _contact(db, crypto, AMRITSAR, "+919876500012")
    summary = AudienceSummary()
    out = list(resolve(db, crypto, tenant_id=AMRITSAR, purpose=PROMOTIONAL,
                       default_channel="sms", summary=summary,
                       items=parse_csv(["phone\n", "9876500011\n", "9876500012\n",
                                        "9876500013\n"])))
    assert [i.phone for i in out if isinstance(i, Recipient)] == ["+919876500011"]
    assert summary.no_consent == 2  # a stranger has granted nothing either


def test_ward_and_category_queries(db: Session, crypto: Crypto) -> None:
    a = _contact(db, crypto, LUDHIANA, "+919876500021", language="hi")
    b = _contact(db, crypto, LUDHIANA, "+919876500022")
    c = _contact(db, crypto, LUDHIANA, "+919876500023")
    web = get_or_create(db, crypto, LUDHIANA, "web:visitor-1")
    db.flush()
    for who, category in ((a, "garbage"), (a, "water"), (b, "water"), (c, "water"),
                          (web, "water")):
        file(db, crypto, tenant_id=LUDHIANA, category=category, locality="model-town",
             contact_id=who.id)
    closed = file(db, crypto, tenant_id=LUDHIANA, category="garbage", locality="model-town",
                  contact_id=b.id)
    BuiltinRegistry(db, crypto).transition(scope=LUDHIANA, public_id=closed.id,
                                           action="reject", actor="staff:1", note="dup")
    opt_out(db, c, opted_out=True, channel_type="twilio-sms")
    summary = AudienceSummary()
    ward = list(ward_contacts(db, crypto, tenant_id=LUDHIANA, ward="W01", purpose=REMINDER,
                              default_channel="sms", summary=summary))
    assert sorted(r.phone for r in ward) == ["+919876500021", "+919876500022"]
    assert all(r.variables["ward"] == "W01" for r in ward)
    assert (summary.opted_out, summary.errors[Code.NOT_A_PHONE]) == (1, 1)
    garbage = list(grievance_filers(db, crypto, tenant_id=LUDHIANA, category="garbage",
                                    purpose=REMINDER, default_channel="sms"))
    assert [r.phone for r in garbage] == ["+919876500021"]  # b's garbage grievance is closed
    assert garbage[0].language == "hi" and garbage[0].contact_id == a.id
    with pytest.raises(AudienceError, match="unknown_ward"):
        ward_contacts(db, crypto, tenant_id=AMRITSAR, ward="W99", purpose=REMINDER,
                      default_channel="sms")
    with pytest.raises(AudienceError, match="unknown_category"):
        grievance_filers(db, crypto, tenant_id=LUDHIANA, category="potholes",
                         purpose=REMINDER, default_channel="sms")


def _bill(db: Session, crypto: Crypto, number: str | None, due: date, status: str = "unpaid",
          amount: int = 123450, bill_no: str = "B1") -> None:
    db.add(Bill(tenant_id=LUDHIANA, service="property_tax", consumer_no="C" + bill_no,
                bill_no=bill_no, period_start=due - timedelta(days=365), period_end=due,
                amount_paise=amount, due_date=due, status=status,
                mobile_hash=crypto.lookup_hash(number) if number else None,
                mobile_enc=crypto.encrypt(number) if number else None))
    db.flush()


def test_bills_due_within_days(db: Session, crypto: Crypto) -> None:
    today = date(2026, 12, 3)
    _bill(db, crypto, "+919876500031", today + timedelta(days=2), bill_no="B1")
    _bill(db, crypto, "+919876500031", today + timedelta(days=5), bill_no="B2")  # same owner
    _bill(db, crypto, "+919876500032", today + timedelta(days=7), bill_no="B3")
    _bill(db, crypto, "+919876500033", today + timedelta(days=8), bill_no="B4")  # too late
    _bill(db, crypto, "+919876500034", today - timedelta(days=1), bill_no="B5")  # overdue
    _bill(db, crypto, "+919876500035", today + timedelta(days=1), "paid", bill_no="B6")
    _bill(db, crypto, None, today + timedelta(days=1), bill_no="B7")  # no mobile on record
    stopped = _contact(db, crypto, LUDHIANA, "+919876500032")
    opt_out(db, stopped, opted_out=True, channel_type="exotel-sms")
    summary = AudienceSummary()
    due = list(bills_due(db, crypto, tenant_id=LUDHIANA, within_days=7, today=today,
                         purpose=REMINDER, default_channel="twilio-sms", summary=summary))
    assert [(r.phone, r.variables["bill_no"], r.variables["due"]) for r in due] == [
        ("+919876500031", "B1", "2026-12-05")]
    assert due[0].variables["amount"] == "1,234.50" or "1234.5" in due[0].variables["amount"]
    assert (summary.rows, summary.duplicates, summary.opted_out) == (3, 1, 1)
