"""The staff bills API: lookup, start a payment (amount from the bill), finance flags."""

from __future__ import annotations

import time

from sqlalchemy import update

from payments.models import Bill
from payments.razorpay import simulator
from services.staff.auth import Role, create_key
from tests.payments.conftest import City
from tests.payments.receipts_spy import Book


def _key(city: City, scope: str = "pb.amritsar") -> dict[str, str]:
    with city.gateway.ctx.sessions() as db:
        token = create_key(db, scope=scope, role=Role.OFFICER, name="counter")
        db.commit()
    return {"Authorization": f"Bearer {token}"}


def test_lookup_pay_and_flags_through_the_api(city: City, book: Book) -> None:
    http, auth = city.gateway.http, _key(city)
    found = http.get("/api/v1/bills", params={"service": "water", "consumer_no": "४१२०-०३१७"},
                     headers=auth)
    assert found.status_code == 200
    bill = found.json()[0]
    assert (bill["bill_no"], bill["amount_paise"], bill["status"]) == ("WS-2026-0001", 42350,
                                                                      "unpaid")
    assert "payer" not in str(bill).lower()
    paid = http.post(f"/api/v1/bills/{bill['id']}/payment", json={"amount_paise": 1},
                     headers=auth)
    assert paid.status_code == 200 and paid.json()["amount_paise"] == 42350
    assert "am=423.50" in paid.json()["upi_intent"]
    link_id = city.attempt(paid.json()["id"]).external_link_id or ""
    simulator.pay(link_id, amount=40000)  # less than the bill reaches us
    deadline = time.monotonic() + 10
    while not (flags := http.get("/api/v1/payments/flags", headers=auth).json()):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert [(f["kind"], f["expected_paise"], f["paid_paise"]) for f in flags] == [
        ("short_payment", 42350, 40000)]


def test_refusals_carry_codes(city: City) -> None:
    http, auth = city.gateway.http, _key(city)
    bad = http.get("/api/v1/bills", params={"service": "water", "consumer_no": "12"},
                   headers=auth)
    assert (bad.status_code, bad.json()) == (400, {"detail": {"code": "invalid_consumer_number"}})
    paid_bill = city.bill("WS-2026-0002")
    again = http.post(f"/api/v1/bills/{paid_bill.id}/payment", headers=auth)
    assert (again.status_code, again.json()["detail"]["code"]) == (409, "not_payable")
    missing = http.post("/api/v1/bills/nope/payment", headers=auth)
    assert missing.status_code == 404
    other = http.get("/api/v1/bills", params={"service": "water", "consumer_no": "41200317",
                                              "tenant": "pb.amritsar"},
                     headers=_key(city, "pb.ludhiana"))
    assert other.status_code == 403


def test_a_bill_whose_amount_changed_gets_a_new_attempt(city: City) -> None:
    first = city.start("SW-2026-0001")
    with city.gateway.ctx.sessions() as db:
        db.execute(update(Bill).where(Bill.bill_no == "SW-2026-0001")
                   .values(amount_paise=19800))
        db.commit()
    second = city.start("SW-2026-0001")
    assert second.id != first.id and second.amount_paise == 19800
    assert city.attempt(first.id).status == "cancelled"
    old_qr = city.attempt(first.id).external_qr_id or ""
    assert simulator.STATE.qrs[old_qr]["status"] == "closed"


def test_a_late_webhook_is_applied_when_it_comes(city: City, book: Book) -> None:
    simulator.knobs.webhook_delay = 0.5
    attempt = city.start("PT-2026-0002")
    simulator.pay(city.attempt(attempt.id).external_qr_id or "", wait=False)
    assert city.attempt(attempt.id).status == "open"
    deadline = time.monotonic() + 10
    while not city.attempt(attempt.id).receipt_number:
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_my_payments_lists_only_the_citizens_own(city: City, book: Book) -> None:
    from payments.attempts import payments_of
    from services.contacts.service import get_or_create

    ctx = city.gateway.ctx
    with ctx.sessions() as db:  # two citizens who asked to pay in a conversation
        me = get_or_create(db, ctx.crypto, "pb.amritsar", "tel:+919800000101").id
        other = get_or_create(db, ctx.crypto, "pb.amritsar", "tel:+919800000102").id
        db.commit()
    mine = ctx.start_payment("pb.amritsar", city.bill("PT-2026-0001").id, contact_id=me)
    theirs = ctx.start_payment("pb.amritsar", city.bill("TL-2026-0001").id, contact_id=other)
    for attempt in (mine, theirs):
        simulator.pay(city.attempt(attempt.id).external_link_id or "")
    city.settle()
    with ctx.sessions() as db:
        listed = payments_of(db, "pb.amritsar", me)
        assert payments_of(db, "pb.ludhiana", me) == []
    assert [(p.id, p.status, p.amount_paise) for p in listed] == [(mine.id, "captured", 480000)]
    assert listed[0].receipt_number == book.by_ref[mine.id].number
