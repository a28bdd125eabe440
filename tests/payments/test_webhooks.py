"""Razorpay webhooks against the live gateway: fixtures in Razorpay's shapes, really signed."""

from __future__ import annotations

from sqlalchemy import select

from payments.models import Bill, PaymentEvent, PaymentFlag
from tests.payments.conftest import City
from tests.payments.receipts_spy import Book

BILL = "PT-2026-0001"


def _flags(city: City) -> list[PaymentFlag]:
    with city.gateway.ctx.sessions() as db:
        return list(db.scalars(select(PaymentFlag).order_by(PaymentFlag.created_at)))


def _bill_status(city: City) -> str:
    with city.gateway.ctx.sessions() as db:
        return str(db.scalar(select(Bill.status).where(Bill.bill_no == BILL)))


def test_a_paid_link_captures_settles_the_bill_and_issues_one_receipt(city: City,
                                                                       book: Book) -> None:
    attempt = city.start(BILL)
    answer = city.post(city.body("payment_link__paid", attempt, payment_id="pay_A1"))
    assert answer.status_code == 200 and answer.json() == {"status": "accepted"}
    city.settle()
    row = city.attempt(attempt.id)
    assert (row.status, row.external_payment_id, row.paid_paise) == (
        "captured", "pay_A1", attempt.amount_paise)
    assert row.receipt_number == book.by_ref[attempt.id].number
    receipt = book.by_ref[attempt.id].data
    assert (receipt.bill_ref, receipt.consumer_no, receipt.amount_paise, receipt.method) == (
        BILL, "2301004512", 480000, "upi")
    assert receipt.payer_name == "Harpreet Kaur"
    assert _bill_status(city) == "paid"


def test_a_replayed_event_has_one_effect(city: City, book: Book) -> None:
    attempt = city.start(BILL)
    body = city.body("payment_link__paid", attempt, payment_id="pay_R1")
    first = city.post(body, event_id="evt_same")
    again = city.post(body, event_id="evt_same")
    assert (first.json(), again.json()) == ({"status": "accepted"}, {"status": "duplicate"})
    city.settle()
    assert city.gateway.count(PaymentEvent) == 1
    assert book.calls == [attempt.id]


def test_every_event_of_one_payment_yields_one_receipt(city: City, book: Book) -> None:
    attempt = city.start(BILL)
    for name in ("payment__captured", "order__paid", "payment_link__paid"):
        assert city.post(city.body(name, attempt, payment_id="pay_M1")).status_code == 200
    city.settle()
    assert list(book.by_ref) == [attempt.id]
    assert city.attempt(attempt.id).status == "captured"


def test_an_expiry_arriving_after_the_payment_changes_nothing(city: City, book: Book) -> None:
    attempt = city.start(BILL)
    city.post(city.body("payment_link__paid", attempt, payment_id="pay_O1"))
    city.settle()
    city.post(city.body("payment_link__expired", attempt))
    city.post(city.body("payment_link__cancelled", attempt))
    city.post(city.body("payment__failed", attempt, payment_id="pay_O2"))
    city.settle()
    assert city.attempt(attempt.id).status == "captured"
    assert _bill_status(city) == "paid" and len(book.by_ref) == 1


def test_money_arriving_after_the_expiry_still_counts(city: City, book: Book) -> None:
    attempt = city.start(BILL)
    city.post(city.body("payment_link__expired", attempt))
    city.settle()
    assert city.attempt(attempt.id).status == "expired"
    city.post(city.body("qr_code__credited", attempt, payment_id="pay_L1"))
    city.settle()
    assert city.attempt(attempt.id).status == "captured"
    assert list(book.by_ref) == [attempt.id]


def test_a_forged_signature_is_refused_and_nothing_is_recorded(city: City, book: Book) -> None:
    attempt = city.start(BILL)
    answer = city.post(city.body("payment_link__paid", attempt), signature="0" * 64)
    assert (answer.status_code, answer.json()) == (403, {"error": "forged_signature"})
    unsigned = city.gateway.http.post(city.url, content=b"{}",
                                      headers={"x-razorpay-event-id": "evt_1"})
    assert unsigned.status_code == 403
    assert city.gateway.count(PaymentEvent) == 0
    assert city.attempt(attempt.id).status == "open" and not book.calls


def test_an_amount_tampered_after_signing_is_refused(city: City, book: Book) -> None:
    attempt = city.start(BILL)
    genuine = city.body("payment_link__paid", attempt, payment_id="pay_T1")
    import hashlib
    import hmac

    signature = hmac.new(city.webhook_secret.encode(), genuine, hashlib.sha256).hexdigest()
    tampered = genuine.replace(b'"amount": 480000', b'"amount": 100', 1)
    assert tampered != genuine
    assert city.post(tampered, signature=signature).status_code == 403
    assert city.attempt(attempt.id).status == "open" and not book.calls


def test_a_short_payment_is_held_for_finance_not_accepted(city: City, book: Book) -> None:
    attempt = city.start(BILL)
    city.post(city.body("payment_link__paid", attempt, amount=100, payment_id="pay_S1"))
    city.settle()
    assert city.attempt(attempt.id).status == "held"
    assert [(f.kind, f.expected_paise, f.paid_paise) for f in _flags(city)] == [
        ("short_payment", 480000, 100)]
    assert _bill_status(city) == "unpaid" and not book.calls


def test_an_excess_payment_is_flagged(city: City, book: Book) -> None:
    attempt = city.start(BILL)
    city.post(city.body("qr_code__credited", attempt, amount=490000, payment_id="pay_X1"))
    city.settle()
    assert [f.kind for f in _flags(city)] == ["excess_payment"]
    assert _bill_status(city) == "unpaid" and not book.calls


def test_money_for_an_unknown_attempt_is_acknowledged_and_flagged(city: City,
                                                                   book: Book) -> None:
    attempt = city.start(BILL)
    stranger = city.attempt(attempt.id)
    stranger.id, stranger.external_link_id, stranger.external_qr_id = "f" * 32, "plink_no", "qr_no"
    answer = city.post(city.body("payment__captured", stranger, payment_id="pay_U1"))
    assert answer.status_code == 200
    city.settle()
    assert [(f.kind, f.external_payment_id) for f in _flags(city)] == [
        ("unmatched_payment", "pay_U1")]
    assert city.attempt(attempt.id).status == "open" and not book.calls
    city.post(city.body("payment_link__expired", stranger))  # no money: nothing to flag
    city.settle()
    assert len(_flags(city)) == 1


def test_a_second_payment_for_a_paid_bill_is_flagged(city: City, book: Book) -> None:
    attempt = city.start(BILL)
    city.post(city.body("payment_link__paid", attempt, payment_id="pay_D1"))
    city.post(city.body("qr_code__credited", attempt, payment_id="pay_D2"))
    city.settle()
    assert [f.kind for f in _flags(city)] == ["duplicate_payment"]
    assert list(book.by_ref) == [attempt.id]


def test_a_refund_is_recorded_and_flagged(city: City, book: Book) -> None:
    attempt = city.start(BILL)
    city.post(city.body("payment_link__paid", attempt, payment_id="pay_F1"))
    city.settle()
    city.post(city.body("refund__processed", attempt, payment_id="pay_F1"))
    city.settle()
    row = city.attempt(attempt.id)
    assert (row.status, row.refunded_paise) == ("refunded", 480000)
    assert [f.kind for f in _flags(city)] == ["refund"]


def test_a_failed_payment_leaves_the_attempt_payable(city: City, book: Book) -> None:
    attempt = city.start(BILL)
    city.post(city.body("payment__failed", attempt))
    city.settle()
    assert city.attempt(attempt.id).status == "open"


def test_an_unknown_account_is_404(city: City) -> None:
    answer = city.gateway.http.post("/webhooks/razorpay/nope", content=b"{}")
    assert (answer.status_code, answer.json()) == (404, {"error": "unknown_account"})
