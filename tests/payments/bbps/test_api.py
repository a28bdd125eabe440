"""The biller API on the wire: documented payloads in, documented answers out."""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime

from sqlalchemy import func, select

from payments.bbps.auth import make_jwt
from payments.bbps.models import BbpsNotification, BbpsPayment
from payments.models import Bill, PaymentAttempt, PaymentFlag
from payments.receipts.models import Receipt
from tests.payments.bbps.conftest import Biller, fixture
from tests.payments.receipts_spy import Book
from tests.support.gateway import LiveGateway


def _when(text: str) -> datetime:
    """A contract timestamp."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _bill(gateway: LiveGateway, bill_no: str) -> Bill:
    """A demo bill as stored now."""
    with gateway.ctx.sessions() as db:
        bill = db.scalar(select(Bill).where(Bill.bill_no == bill_no))
        assert bill is not None
        db.expunge(bill)
        return bill


def _post(biller: Biller, path: str, body: bytes, token: str | None = None):  # type: ignore[no-untyped-def]
    """A raw call with a fresh token (or the one given)."""
    token = token if token is not None else make_jwt(biller.scheme_id, biller.secret)
    return biller.gateway.http.post(f"/bbps/{biller.id}{path}", content=body, headers={
        "authorization": f"Bearer {token}", "content-type": "application/json"})


def test_fetch_answers_outstanding_bills_in_the_documented_shape(tax: Biller) -> None:
    answer = _post(tax, "/bills/fetch", fixture("fetch__customer_id", consumer="2301004512"))
    assert answer.status_code == 200
    body = answer.json()
    assert body["success"] is True and body["status"] == 200
    details = body["data"]["billDetails"]
    assert body["data"]["customer"]["name"] == "Harpreet Kaur"
    assert details["billFetchStatus"] == "AVAILABLE"
    [bill] = details["bills"]  # last year's, paid, is not offered
    stored = _bill(tax.gateway, "PT-2026-0001")
    assert bill["billerBillID"] == stored.id
    assert bill["amountExactness"] == "EXACT"
    assert bill["recurrence"] == "YEARLY"
    assert bill["aggregates"]["total"]["amount"] == {"value": stored.amount_paise,
                                                     "currencyCode": "INR"}
    generated, due = _when(bill["generatedOn"]), _when(bill["dueDate"])
    assert generated < due and generated <= datetime.now(UTC)
    assert [i["aggregates"]["total"]["value"] for i in bill["items"]] == [
        i["amount_paise"] for i in stored.items]
    assert sum(i["aggregates"]["total"]["value"] for i in bill["items"]) == stored.amount_paise


def test_a_consumer_with_everything_paid_has_no_outstanding(water: Biller) -> None:
    answer = _post(water, "/bills/fetch", fixture("fetch__customer_id", consumer="41207720"))
    assert answer.status_code == 200
    assert answer.json()["data"]["billDetails"] == {"billFetchStatus": "NO_OUTSTANDING",
                                                    "bills": []}


def test_unknown_and_malformed_customers_get_the_documented_errors(tax: Biller) -> None:
    unknown = _post(tax, "/bills/fetch", fixture("fetch__customer_id", consumer="2301000000"))
    assert unknown.status_code == 400
    error = unknown.json()
    assert error["success"] is False and error["status"] == 400
    assert error["error"]["code"] == "customer-not-found" and error["error"]["traceID"]
    wrong = _post(tax, "/bills/fetch", fixture("fetch__customer_id", consumer="41200317"))
    assert wrong.json()["error"]["code"] == "invalid-customer-identifier"  # a water number
    other = _post(tax, "/bills/fetch", b'{"customerIdentifiers": [{"attributeName": "x", '
                                      b'"attributeValue": "1"}]}')
    assert other.json()["error"]["code"] == "insufficient-customer-identifiers"
    for garbage in (b"not json", b"[1]", b'{"customerIdentifiers": 5}', b"\xff"):
        refused = _post(tax, "/bills/fetch", garbage)
        assert refused.status_code == 400
        assert refused.json()["error"]["code"] == "malformed-request"


def test_validate_names_the_customer_and_the_bill_to_pay(tax: Biller) -> None:
    answer = _post(tax, "/customer/validate",
                   fixture("fetch__customer_id", consumer="2301004512"))
    assert answer.status_code == 200
    data = answer.json()["data"]
    assert data == {"customer": {"name": "Harpreet Kaur"},
                    "billerBillID": _bill(tax.gateway, "PT-2026-0001").id}


def test_a_payment_is_receipted_once_however_often_it_is_resent(tax: Biller,
                                                                book: Book) -> None:
    sim = tax.aggregator(timeouts=3)
    [bill] = sim.fetch("2301004512").json()["data"]["billDetails"]["bills"]
    answer = sim.pay(bill, ref="PP012151MYB616O9BSY1")
    assert answer.status_code == 200
    receipt = answer.json()["data"]["receipt"]
    assert receipt["id"].startswith("AMR/PT/")
    fetch_receipt = sim.sent[1:]
    assert len(fetch_receipt) == 4
    assert {r.status_code for r in fetch_receipt} == {200}
    assert {r.json()["data"]["receipt"]["id"] for r in fetch_receipt} == {receipt["id"]}
    assert {r.json()["data"]["receipt"]["date"] for r in fetch_receipt} == {receipt["date"]}
    assert len(book.by_ref) == 1
    stored = _bill(tax.gateway, "PT-2026-0001")
    assert stored.status == "paid"
    with tax.gateway.ctx.sessions() as db:
        [attempt] = db.scalars(select(PaymentAttempt).where(
            PaymentAttempt.bill_id == stored.id))
        assert (attempt.method, attempt.account_id, attempt.status) == ("bbps", None,
                                                                        "captured")
        assert attempt.external_payment_id == "PP012151MYB616O9BSY1"
        assert attempt.receipt_number == receipt["id"]
        assert stored.payment_ref == attempt.id
        row = db.scalar(select(Receipt).where(Receipt.payment_ref == attempt.id))
        assert row is not None and row.method == "bbps" and row.number == receipt["id"]
    again = tax.aggregator().fetch("2301004512").json()["data"]["billDetails"]
    assert again["billFetchStatus"] == "NO_OUTSTANDING"


def test_the_documented_receipt_request_is_accepted(tax: Biller, book: Book) -> None:
    bill = _bill(tax.gateway, "PT-2026-0001")
    body = fixture("fetchReceipt__upi", bill_id=bill.id, amount=bill.amount_paise,
                   ref="PP012151MYB616O9BSY1")
    answer = _post(tax, "/bills/fetchReceipt", body)
    assert answer.status_code == 200, answer.text
    assert set(answer.json()["data"]["receipt"]) == {"id", "date"}
    [issued] = book.by_ref.values()
    assert issued.data.paid_at == datetime(2026, 11, 20, 3, 5, 22, tzinfo=UTC)
    assert issued.data.amount_paise == bill.amount_paise


def test_an_amount_outside_the_bills_rule_is_refused_every_time(tax: Biller,
                                                                book: Book) -> None:
    bill = _bill(tax.gateway, "PT-2026-0001")
    for amount in (bill.amount_paise - 1, bill.amount_paise + 100):
        body = fixture("fetchReceipt__upi", bill_id=bill.id, amount=amount,
                       ref="PP" + secrets.token_hex(6))
        for _ in range(2):  # a re-sent refusal is refused alike
            answer = _post(tax, "/bills/fetchReceipt", body)
            assert answer.status_code == 400
            assert answer.json()["error"]["code"] == "incorrect-amount"
    assert _bill(tax.gateway, "PT-2026-0001").status == "unpaid"
    assert book.calls == []
    with tax.gateway.ctx.sessions() as db:
        assert db.scalar(select(func.count()).select_from(PaymentAttempt).where(
            PaymentAttempt.bill_id == bill.id)) == 0
        refused = db.scalars(select(BbpsPayment.error_code)).all()
        assert refused == ["incorrect-amount", "incorrect-amount"]


def test_water_takes_an_advance_and_finance_is_told(water: Biller, book: Book) -> None:
    sim = water.aggregator()
    [bill] = sim.fetch("41200317").json()["data"]["billDetails"]["bills"]
    assert bill["amountExactness"] == "EXACT_UP"
    due = bill["aggregates"]["total"]["amount"]["value"]
    assert sim.pay(bill, amount=due - 1).json()["error"]["code"] == "incorrect-amount"
    answer = sim.pay(bill, amount=due + 5000, ref="PPADVANCE0001")
    assert answer.status_code == 200
    with water.gateway.ctx.sessions() as db:
        flag = db.scalar(select(PaymentFlag).where(PaymentFlag.external_payment_id ==
                                                   "PPADVANCE0001"))
        assert flag is not None and flag.kind == "excess_payment"
        assert (flag.expected_paise, flag.paid_paise) == (due, due + 5000)
    [issued] = book.by_ref.values()
    assert issued.data.amount_paise == due + 5000


def test_bills_that_cannot_be_paid_are_refused(tax: Biller) -> None:
    paid = _bill(tax.gateway, "PT-2025-0001")
    body = fixture("fetchReceipt__upi", bill_id=paid.id, amount=paid.amount_paise, ref="PPX1")
    assert _post(tax, "/bills/fetchReceipt", body).json()["error"]["code"] == (
        "bill-already-fulfilled")
    water = _bill(tax.gateway, "WS-2026-0001")  # not this biller's service
    body = fixture("fetchReceipt__upi", bill_id=water.id, amount=water.amount_paise,
                   ref="PPX2")
    assert _post(tax, "/bills/fetchReceipt", body).json()["error"]["code"] == "bill-not-found"
    body = fixture("fetchReceipt__upi", bill_id="nope", amount=100, ref="PPX3")
    assert _post(tax, "/bills/fetchReceipt", body).json()["error"]["code"] == "bill-not-found"


def test_a_used_reference_with_another_payment_is_refused(tax: Biller, book: Book) -> None:
    bill = _bill(tax.gateway, "PT-2026-0001")
    first = fixture("fetchReceipt__upi", bill_id=bill.id, amount=bill.amount_paise, ref="PPR")
    assert _post(tax, "/bills/fetchReceipt", first).status_code == 200
    other = _bill(tax.gateway, "PT-2026-0002")
    second = fixture("fetchReceipt__upi", bill_id=other.id, amount=other.amount_paise,
                     ref="PPR")
    answer = _post(tax, "/bills/fetchReceipt", second)
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "invalid-param"
    assert _bill(tax.gateway, "PT-2026-0002").status == "unpaid"
    assert len(book.by_ref) == 1


def test_malformed_payment_posts_are_refused_with_codes(tax: Biller) -> None:
    bill = _bill(tax.gateway, "PT-2026-0001")
    for body in (b'{"billerBillID": "x"}',
                 fixture("fetchReceipt__upi", bill_id=bill.id, amount="100", ref="PPM1"),
                 fixture("fetchReceipt__upi", bill_id=bill.id, amount=-5, ref="PPM2"),
                 fixture("fetchReceipt__upi", bill_id=bill.id, amount=100, ref=""),
                 fixture("fetchReceipt__upi", bill_id=bill.id, amount=100, ref="a\u0000b")):
        answer = _post(tax, "/bills/fetchReceipt", body)
        assert answer.status_code == 400, body
        assert answer.json()["error"]["code"] in ("malformed-request", "invalid-param")


def test_settlement_notices_are_stored_once(tax: Biller) -> None:
    body = fixture("notifications__settled")
    for _ in range(2):
        answer = _post(tax, "/notifications", body)
        assert answer.status_code == 200 and answer.json() == {"status": 200, "success": True}
    with tax.gateway.ctx.sessions() as db:
        [row] = db.scalars(select(BbpsNotification)).all()
        assert (row.event_type, row.status, row.amount_paise, row.transaction_id) == (
            "BILL_SETTLEMENT_STATUS", "SETTLEMENT_SUCCESSFUL", 108400, "1074362738220")
        assert row.platform_bill_ids == ["906910589572351478"]
        assert row.tenant_id == "pb.amritsar"
    assert _post(tax, "/notifications", b'{"events": [{"type": "x"}]}').json()["error"][
        "code"] == "invalid-param"


def test_a_bbps_payment_is_the_citizens_own_when_they_have_written_to_the_city(
        tax: Biller, book: Book) -> None:
    from services.contacts.models import Contact
    from tests.support.gateway import SmsPhone

    phone = SmsPhone(tax.gateway, "+919876500001")  # Harpreet Kaur's registered mobile
    phone.post(phone.form("hi"))
    deadline = time.monotonic() + 10
    while True:
        with tax.gateway.ctx.sessions() as db:
            contact = db.scalar(select(Contact.id))
        if contact or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert contact is not None
    sim = tax.aggregator()
    [bill] = sim.fetch("2301004512").json()["data"]["billDetails"]["bills"]
    assert sim.pay(bill).status_code == 200
    [issued] = book.by_ref.values()
    assert issued.data.contact_id == contact
    stranger = tax.aggregator()  # Rajesh Kumar never wrote: nobody to tell
    [other] = stranger.fetch("2301009981").json()["data"]["billDetails"]["bills"]
    assert stranger.pay(other).status_code == 200
    assert sorted(str(i.data.contact_id) for i in book.by_ref.values()) == sorted(
        [contact, "None"])
