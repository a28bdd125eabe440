"""Bills from DIGIT's billing-service and payments posted to its collection-services, through
the fake DIGIT process; grievances stay in the built-in registry (a tenant can mix)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from payments.bills.registry import BillError, BillService
from payments.models import Bill, GatewayAccount, NumberFormat, PaymentAttempt
from payments.receipting import issue_for
from services.connectors.digit.bills import DigitBills
from services.connectors.digit.client import info_of
from services.connectors.digit.payments import post_due
from services.connectors.factory import ConnectedBills, ConnectedGrievances
from services.connectors.models import FILED, RemoteBill, RemotePayment
from services.conversation.domains import offers_bills
from services.db.base import utcnow
from services.grievances.builtin import BuiltinRegistry
from services.security.crypto import Crypto
from services.tenancy.models import Tenant
from tests.services.connectors.conftest import AMRITSAR, Fake, connect_digit


def digit_numbers(db: Session) -> None:
    """The city's consumer numbers as DIGIT issues them (`PT-107-000123`, checked without
    separators), replacing the demo's own formats."""
    for service, pattern in (("property_tax", "PT107[0-9]{6}"), ("water", "WS107[0-9]{6}")):
        db.execute(delete(NumberFormat).where(NumberFormat.tenant_id == AMRITSAR,
                                              NumberFormat.service == service))
        db.add(NumberFormat(tenant_id=AMRITSAR, service=service, pattern=pattern))
    db.commit()


def bills(db: Session, crypto: Crypto) -> DigitBills:
    """The registry the factory picks for the demo city's bills."""
    found = ConnectedBills().for_tenant(db, crypto, AMRITSAR)
    assert isinstance(found, DigitBills)
    return found


def test_both_spellings_of_the_info_block_are_read() -> None:
    assert info_of({"ResposneInfo": {"status": "successful"}}) == {"status": "successful"}
    assert info_of({"ResponseInfo": {"status": "ok"}}) == {"status": "ok"}
    assert info_of({}) == {}


def test_a_tenant_mixes_digit_bills_with_builtin_grievances(db: Session, crypto: Crypto,
                                                             digit: Fake) -> None:
    connect_digit(db, crypto, digit, domain="bills")
    digit_numbers(db)
    assert isinstance(ConnectedGrievances().for_tenant(db, crypto, AMRITSAR), BuiltinRegistry)
    assert isinstance(ConnectedBills().for_tenant(db, crypto, AMRITSAR), DigitBills)


def test_a_city_whose_bills_are_in_digit_offers_them_in_the_chat(db: Session, crypto: Crypto,
                                                                  digit: Fake) -> None:
    """No bill of its own in the built-in registry: the DIGIT connection is its bill
    service, so the menu shows paying a bill wherever the city collects payments."""
    db.execute(delete(Bill).where(Bill.tenant_id == AMRITSAR))
    db.commit()
    registries = ConnectedBills()
    assert not registries.connected(db, crypto, AMRITSAR)
    connect_digit(db, crypto, digit, domain="bills")
    assert registries.connected(db, crypto, AMRITSAR)
    ctx = SimpleNamespace(bill_registries=registries, crypto=crypto)
    tenant = db.get_one(Tenant, AMRITSAR)
    offered = offers_bills(db, ctx, tenant)  # type: ignore[arg-type]
    assert db.scalar(select(GatewayAccount.id).where(  # the demo city collects payments
        GatewayAccount.tenant_id == AMRITSAR, GatewayAccount.active)) is not None
    assert offered


def test_lookup_fetches_from_digit_in_paise_and_mirrors_once(db: Session, crypto: Crypto,
                                                             digit: Fake) -> None:
    connect_digit(db, crypto, digit, domain="bills")
    digit_numbers(db)
    [bill] = bills(db, crypto).lookup(BillService.PROPERTY_TAX, "PT-107-000123")
    assert bill.amount_paise == 150000 and bill.payable
    assert [(i.head, i.amount_paise) for i in bill.items] == [("PT_TAX", 160000),
                                                              ("PT_REBATE", -10000)]
    assert bill.consumer_no == "PT-107-000123" and bill.payer_name == "Gurpreet Kaur"
    [water] = bills(db, crypto).lookup("water", "WS-107-000045")
    assert water.amount_paise == 42050  # 420.50 rupees, never through a float
    bills(db, crypto).lookup(BillService.PROPERTY_TAX, "PT-107-000123")
    db.commit()
    mirrored = db.scalars(select(RemoteBill)).all()
    assert len(mirrored) == 2
    assert {m.business_service for m in mirrored} == {"PT", "WS"}
    assert bills(db, crypto).get(bill.id) == bill
    assert digit.state()["calls"]["fetchbill"] == 3
    mine = bills(db, crypto).for_mobile("+919812345678")
    assert {b.consumer_no for b in mine} == {"PT-107-000123", "WS-107-000045"}


def test_lookup_when_billing_is_down(db: Session, crypto: Crypto, digit: Fake) -> None:
    connect_digit(db, crypto, digit, domain="bills")
    digit_numbers(db)
    digit.knobs(down=True)
    with pytest.raises(BillError) as refused:
        bills(db, crypto).lookup(BillService.PROPERTY_TAX, "PT-107-000123")
    assert refused.value.code == "platform_unavailable"


def _captured(sessions: sessionmaker[Session], crypto: Crypto) -> str:
    """Look the property tax bill up, and have our gateway capture its payment (as the
    webhook handler does: the attempt captured, the bill settled, the receipt issued)."""
    with sessions() as db:
        [view] = bills(db, crypto).lookup(BillService.PROPERTY_TAX, "PT-107-000123")
        account = db.scalar(select(GatewayAccount).where(GatewayAccount.tenant_id == AMRITSAR))
        assert account is not None
        attempt = PaymentAttempt(tenant_id=AMRITSAR, bill_id=view.id, account_id=account.id,
                                 amount_paise=view.amount_paise, status="captured",
                                 expire_at=utcnow() + timedelta(minutes=15),
                                 external_payment_id="pay_FAKE123", paid_paise=150000,
                                 method="upi", captured_at=utcnow())
        db.add(attempt)
        db.flush()
        assert bills(db, crypto).settle(view.id, payment_ref=attempt.id, amount_paise=150000,
                                        paid_at=utcnow())
        db.commit()
        issue_for(db, lambda s, tenant: ConnectedBills().for_tenant(s, crypto, tenant), attempt)
        db.commit()
        return attempt.id


def test_a_captured_payment_is_posted_to_collections_once(
        sessions: sessionmaker[Session], db: Session, crypto: Crypto, digit: Fake) -> None:
    sessions.configure(info={"crypto": crypto})
    connect_digit(db, crypto, digit, domain="bills")
    digit_numbers(db)
    db.close()
    attempt_id = _captured(sessions, crypto)
    with sessions() as check:
        row = check.scalar(select(RemotePayment))
        assert row is not None and row.attempt_id == attempt_id  # queued with the receipt
    assert post_due(sessions, crypto) == {"posted": 1}
    assert post_due(sessions, crypto) == {}
    [payment] = digit.state()["payments"]
    assert payment["transactionNumber"] == attempt_id
    assert payment["instrumentNumber"] == "pay_FAKE123"
    assert str(payment["totalAmountPaid"]) == "1500.00"
    assert payment["paymentDetails"][0]["businessService"] == "PT"
    paid = [b for b in digit.state()["bills"] if b["businessService"] == "PT"]
    assert paid[0]["status"] == "PAID"
    with sessions() as check:
        row = check.scalar(select(RemotePayment))
        assert row is not None and row.state == FILED and row.remote_receipt.startswith("PB/PT/")
        bill = check.get(Bill, row.bill_id)
        assert bill is not None and bill.status == "paid"


def test_a_lost_answer_is_found_by_transaction_number(
        sessions: sessionmaker[Session], db: Session, crypto: Crypto, digit: Fake) -> None:
    sessions.configure(info={"crypto": crypto})
    connect_digit(db, crypto, digit, domain="bills")
    digit_numbers(db)
    db.close()
    _captured(sessions, crypto)
    digit.knobs(lose_answers=1)  # stored by the platform, answer lost (504)
    assert post_due(sessions, crypto) == {"retry": 1}
    with sessions() as later:
        later.execute(update(RemotePayment).values(next_attempt_at=utcnow()))
        later.commit()
    assert post_due(sessions, crypto) == {"posted": 1}
    assert len(digit.state()["payments"]) == 1


def test_collections_down_is_retried_later(sessions: sessionmaker[Session], db: Session,
                                           crypto: Crypto, digit: Fake) -> None:
    sessions.configure(info={"crypto": crypto})
    connect_digit(db, crypto, digit, domain="bills")
    digit_numbers(db)
    db.close()
    _captured(sessions, crypto)
    digit.knobs(down=True)
    assert post_due(sessions, crypto) == {"retry": 1}
    assert post_due(sessions, crypto) == {}  # backed off, not hammered
    assert digit.state()["payments"] == []
