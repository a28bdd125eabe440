"""Paying through the simulator: link, QR and intent; webhooks late, twice, lost; the safety
net finding what the webhooks missed; a crash between capture and receipt."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from payments.attempts import AttemptError
from payments.models import PaymentAttempt
from payments.razorpay import simulator
from payments.reconcile import check_pending, sweep_daily
from services.db.base import utcnow
from tests.payments.conftest import City
from tests.payments.receipts_spy import Book

BILL = "WS-2026-0001"  # water, overdue: ₹360.00 + ₹25.00 meter rent + ₹38.50 penalty


def _wait(city: City, attempt_id: str, status: str, timeout: float = 10.0) -> PaymentAttempt:
    """The attempt once it reached a status (webhooks arrive in the background)."""
    deadline = time.monotonic() + timeout
    while (row := city.attempt(attempt_id)).status != status:
        assert time.monotonic() < deadline, f"attempt stayed {row.status}"
        time.sleep(0.05)
    return row


def _sent(count: int, timeout: float = 10.0) -> list[dict[str, object]]:
    """The simulator's webhooks once `count` were sent."""
    deadline = time.monotonic() + timeout
    while len(sent := simulator.sent_webhooks()) < count:
        assert time.monotonic() < deadline, f"only {len(sent)} webhooks sent"
        time.sleep(0.05)
    return sent


def _later(minutes: int) -> datetime:
    return utcnow() + timedelta(minutes=minutes)


def test_a_payment_gives_a_link_a_qr_and_an_intent_for_the_bills_amount(city: City) -> None:
    attempt = city.start(BILL)
    assert attempt.amount_paise == 42350
    query = parse_qs(urlsplit(attempt.upi_intent or "").query)
    assert attempt.upi_intent and attempt.upi_intent.startswith("upi://pay?")
    assert {k: v[0] for k, v in query.items() if k in ("pa", "am", "tr", "cu")} == {
        "pa": "amritsar.mc@razorpay", "am": "423.50", "tr": attempt.id, "cu": "INR"}
    assert attempt.link_url and "/sim/razorpay/pay/plink_" in attempt.link_url
    assert attempt.qr_content and "am=423.50" in attempt.qr_content
    link = simulator.STATE.links[city.attempt(attempt.id).external_link_id or ""]
    assert (link["reference_id"], link["amount"]) == (attempt.id, 42350)
    assert link["expire_by"] == int(attempt.expire_at.timestamp())
    qr = simulator.STATE.qrs[city.attempt(attempt.id).external_qr_id or ""]
    assert (qr["usage"], qr["fixed_amount"], qr["payment_amount"]) == ("single_use", True, 42350)
    assert city.start(BILL).id == attempt.id  # asked again: the same payable attempt


def test_paying_on_the_simulators_page_sends_signed_webhooks_and_a_receipt(
        city: City, book: Book) -> None:
    attempt = city.start(BILL)
    page = city.gateway.http.get(attempt.link_url or "")
    assert "Pay ₹423.50" in page.text
    done = city.gateway.http.post(attempt.link_url or "", data={"outcome": "success"})
    assert "captured" in done.text
    _wait(city, attempt.id, "captured")
    city.settle()
    assert list(book.by_ref) == [attempt.id]
    sent = _sent(3)
    assert {h["event"] for h in sent} == {"payment.captured", "order.paid", "payment_link.paid"}
    assert all(h["status"] == 200 for h in sent)
    qr_id = city.attempt(attempt.id).external_qr_id or ""
    deadline = time.monotonic() + 10
    while simulator.STATE.qrs[qr_id]["status"] != "closed":  # the QR can no longer be paid
        assert time.monotonic() < deadline
        time.sleep(0.05)
    with pytest.raises(AttemptError) as refused:
        city.start(BILL)
    assert refused.value.code == "not_payable"


def test_duplicated_and_reversed_webhooks_give_one_receipt(city: City, book: Book) -> None:
    simulator.knobs.duplicate = True
    simulator.knobs.reverse = True
    attempt = city.start(BILL)
    simulator.pay(city.attempt(attempt.id).external_qr_id or "")
    assert len(_sent(6)) == 6
    city.settle()
    assert _wait(city, attempt.id, "captured").receipt_number
    assert book.calls == [attempt.id]


def test_a_failed_payment_then_a_good_one(city: City, book: Book) -> None:
    simulator.knobs.fail_payments = 1
    attempt = city.start(BILL)
    link_id = city.attempt(attempt.id).external_link_id or ""
    simulator.pay(link_id)
    city.settle()
    assert city.attempt(attempt.id).status == "open"
    simulator.STATE.links[link_id]["status"] = "created"
    simulator.pay(link_id)
    _wait(city, attempt.id, "captured")


def test_a_payment_whose_webhooks_never_came_is_found_by_the_15_minute_check(
        city: City, book: Book) -> None:
    simulator.knobs.drop = True
    attempt = city.start(BILL)
    simulator.pay(city.attempt(attempt.id).external_link_id or "")
    time.sleep(0.3)
    assert city.attempt(attempt.id).status == "open"
    ctx = city.gateway.ctx
    early = check_pending(ctx.sessions, ctx.crypto, ctx.bills, now=_later(10))
    assert early.checked == 0  # not yet 15 minutes old
    found = check_pending(ctx.sessions, ctx.crypto, ctx.bills, now=_later(16))
    assert (found.checked, found.captured, found.receipts) == (1, 1, 1)
    assert city.attempt(attempt.id).receipt_number == book.by_ref[attempt.id].number
    again = check_pending(ctx.sessions, ctx.crypto, ctx.bills, now=_later(40))
    assert again.checked == 0 and book.calls == [attempt.id]


def test_a_crash_between_capture_and_receipt_is_finished_by_the_safety_net(
        city: City, book: Book) -> None:
    book.fail_next = 1
    attempt = city.start(BILL)
    city.post(city.body("payment_link__paid", city.attempt(attempt.id), payment_id="pay_C1"))
    deadline = time.monotonic() + 10
    while not book.calls:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(0.2)
    row = city.attempt(attempt.id)
    assert (row.status, row.receipt_number) == ("captured", None)
    ctx = city.gateway.ctx
    result = check_pending(ctx.sessions, ctx.crypto, ctx.bills, now=_later(1))
    assert result.receipts == 1
    assert city.attempt(attempt.id).receipt_number == book.by_ref[attempt.id].number
    sweep_daily(ctx.sessions, ctx.crypto, ctx.bills, now=_later(2))
    assert len(book.by_ref) == 1 and book.calls == [attempt.id, attempt.id]


def test_an_expired_attempt_is_replaced_and_a_late_capture_on_it_is_still_found(
        city: City, book: Book) -> None:
    simulator.knobs.drop = True
    first = city.start(BILL)
    ctx = city.gateway.ctx
    swept = check_pending(ctx.sessions, ctx.crypto, ctx.bills, now=_later(45))
    assert swept.expired == 1 and city.attempt(first.id).status == "expired"
    second = city.start(BILL)
    assert second.id != first.id and second.status == "open"
    simulator.pay(city.attempt(first.id).external_qr_id or "")  # paid on the old QR anyway
    daily = sweep_daily(ctx.sessions, ctx.crypto, ctx.bills, now=_later(60 * 20))
    assert daily.captured == 1
    assert city.attempt(first.id).status == "captured"
    assert list(book.by_ref) == [first.id]


def test_the_gateway_down_cancels_the_attempt_so_it_can_be_retried(city: City) -> None:
    simulator.knobs.api_faults = [500]
    with pytest.raises(AttemptError) as refused:
        city.start(BILL)
    assert refused.value.code == "gateway_unavailable"
    assert city.start(BILL).status == "open"
