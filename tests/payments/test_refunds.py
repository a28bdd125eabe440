"""Refunds of excess and duplicate payments: once, however often they are asked or retried."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

import pytest
from sqlalchemy import func, select

from payments.gateway import NoticeKind
from payments.models import PaymentAttempt, PaymentFlag
from payments.razorpay import simulator
from payments.razorpay.webhook import parse
from payments.refund_models import PaymentRefund
from services.audit.models import ConfigChange
from services.messaging.models import Message, OutboxItem
from services.staff.auth import Role, create_key
from tests.payments.conftest import FIXTURES, City
from tests.payments.receipts_spy import Book
from tests.support.gateway import SmsPhone

BILL = "PT-2026-0001"


def _key(city: City, role: Role = Role.FINANCE, scope: str = "pb.amritsar") -> dict[str, str]:
    """A staff key's header."""
    with city.gateway.ctx.sessions() as db:
        token = create_key(db, scope=scope, role=role, name="finance")
        db.commit()
    return {"Authorization": f"Bearer {token}"}


def _wait(check: Any, timeout: float = 10.0) -> Any:
    """Poll until `check()` is truthy."""
    deadline = time.monotonic() + timeout
    while not (value := check()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
    return value


def _paid_twice(city: City, contact_id: str | None = None) -> tuple[str, str]:
    """A bill paid on its link and again on its QR: (the attempt id, the duplicate's id)."""
    bill = city.bill(BILL)
    view = city.gateway.ctx.start_payment("pb.amritsar", bill.id, contact_id)
    row = city.attempt(view.id)
    first = simulator.pay(row.external_link_id or "")
    city.settle()
    second = simulator.pay(row.external_qr_id or "")
    city.settle()
    assert city.attempt(view.id).external_payment_id == first["id"]
    with city.gateway.ctx.sessions() as db:
        kinds = db.scalars(select(PaymentFlag.kind).where(
            PaymentFlag.external_payment_id == second["id"])).all()
    assert kinds == ["duplicate_payment"]
    return view.id, str(second["id"])


def _refund(city: City, payment_id: str, auth: dict[str, str], **extra: Any) -> Any:
    """POST a refund through the staff API."""
    return city.gateway.http.post("/api/v1/payments/refunds", headers=auth, json={
        "payment_id": payment_id, "note": "paid twice at the counter", **extra})


def _rows(city: City) -> list[PaymentRefund]:
    """Every refund row."""
    with city.gateway.ctx.sessions() as db:
        rows = list(db.scalars(select(PaymentRefund)))
        for row in rows:
            db.expunge(row)
        return rows


def test_a_duplicate_payment_is_refunded_once_and_the_ledger_follows(city: City,
                                                                     book: Book) -> None:
    attempt_id, duplicate = _paid_twice(city)
    auth = _key(city)
    answer = _refund(city, duplicate, auth)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert (body["reason"], body["amount_paise"]) == ("duplicate_payment", 480000)
    _wait(lambda: _rows(city)[0].status == "processed")
    assert len(simulator.refunds_of(duplicate)) == 1
    again = _refund(city, duplicate, auth)
    assert (again.status_code, again.json()["detail"]["code"]) == (409, "exceeds_refundable")
    assert len(simulator.refunds_of(duplicate)) == 1
    row = city.attempt(attempt_id)  # the first, receipted payment is untouched
    assert (row.status, row.refunded_paise) == ("captured", 0)
    assert len(book.by_ref) == 1
    with city.gateway.ctx.sessions() as db:
        [change] = db.scalars(select(ConfigChange).where(
            ConfigChange.entity == "payment_refund")).all()
        assert change.after is not None and change.after["note"] == "paid twice at the counter"
        assert change.actor.startswith("staff:")


def test_a_refund_whose_answer_was_lost_is_retried_exactly_once(city: City, book: Book,
                                                                ) -> None:
    _, duplicate = _paid_twice(city)
    auth = _key(city)
    simulator.knobs.drop = True  # no webhook: only our retry can learn what happened
    simulator.knobs.refund_faults = [500]  # the gateway refunds, its answer is lost
    lost = _refund(city, duplicate, auth)
    assert (lost.status_code, lost.json()["detail"]["code"]) == (503, "gateway_unavailable")
    [row] = _rows(city)
    assert (row.status, row.tries) == ("requested", 1)
    assert len(simulator.refunds_of(duplicate)) == 1  # the money is already on its way
    retried = _refund(city, duplicate, auth)  # the finance officer asks again
    assert retried.status_code == 201 and retried.json()["id"] == row.id
    [row] = _rows(city)
    assert row.status in ("pending", "processed") and row.tries == 2
    [refund] = simulator.refunds_of(duplicate)  # the same key and body: the same refund
    assert refund["id"] == row.external_refund_id
    assert len(simulator.STATE.refund_keys) == 1
    again = _refund(city, duplicate, auth)  # and a third time: nothing left to give back
    assert again.status_code == 409
    assert len(simulator.refunds_of(duplicate)) == 1


def test_an_excess_is_refunded_and_no_more(city: City, book: Book) -> None:
    bill = city.bill(BILL)
    view = city.gateway.ctx.start_payment("pb.amritsar", bill.id)
    paid = simulator.pay(city.attempt(view.id).external_link_id or "",
                         amount=bill.amount_paise + 5000)
    city.settle()
    assert city.attempt(view.id).status == "held"
    auth = _key(city)
    too_much = _refund(city, str(paid["id"]), auth, amount_paise=5001)
    assert (too_much.status_code, too_much.json()["detail"]["code"]) == (409,
                                                                         "exceeds_refundable")
    answer = _refund(city, str(paid["id"]), auth)
    assert answer.status_code == 201 and answer.json()["amount_paise"] == 5000
    _wait(lambda: _rows(city)[0].status == "processed")
    assert [r["amount"] for r in simulator.refunds_of(str(paid["id"]))] == [5000]
    assert city.attempt(view.id).refunded_paise == 5000


def test_refusals(city: City, book: Book) -> None:
    bill = city.bill(BILL)
    view = city.gateway.ctx.start_payment("pb.amritsar", bill.id)
    paid = simulator.pay(city.attempt(view.id).external_link_id or "")
    city.settle()
    auth = _key(city)
    normal = _refund(city, str(paid["id"]), auth)
    assert (normal.status_code, normal.json()["detail"]["code"]) == (404, "not_refundable")
    _, duplicate = _paid_twice_other(city)
    blank = city.gateway.http.post("/api/v1/payments/refunds", headers=auth,
                                   json={"payment_id": duplicate, "note": "   "})
    assert blank.json()["detail"]["code"] == "note_required"
    for role in (Role.VIEWER, Role.OFFICER, Role.ADMIN):  # finance staff only
        refused = _refund(city, duplicate, _key(city, role))
        assert (refused.status_code, refused.json()["detail"]["code"]) == (403, "forbidden_role")
    elsewhere = _refund(city, duplicate, _key(city, scope="pb.ludhiana"))  # its own city:
    assert elsewhere.status_code == 404  # no such payment there
    foreign = city.gateway.http.post(
        "/api/v1/payments/refunds", params={"tenant": "pb.amritsar"},
        headers=_key(city, scope="pb.ludhiana"), json={"payment_id": duplicate, "note": "x"})
    assert (foreign.status_code, foreign.json()["detail"]["code"]) == (403, "forbidden_tenant")
    other_city = city.gateway.http.post(
        "/api/v1/payments/refunds", params={"tenant": "pb.ludhiana"},
        headers=_key(city, scope="pb"), json={"payment_id": duplicate, "note": "x"})
    assert other_city.status_code in (404, 403)
    assert simulator.refunds_of(duplicate) == []


def _paid_twice_other(city: City) -> tuple[str, str]:
    """A second demo bill paid twice."""
    bill = city.bill("PT-2026-0002")
    view = city.gateway.ctx.start_payment("pb.amritsar", bill.id)
    row = city.attempt(view.id)
    simulator.pay(row.external_link_id or "")
    city.settle()
    second = simulator.pay(row.external_qr_id or "")
    city.settle()
    return view.id, str(second["id"])


def _refund_webhook(city: City, name: str, row: PaymentRefund, attempt_id: str) -> bytes:
    """A refund webhook in Razorpay's documented shape, for one of our refunds."""
    data = json.loads((FIXTURES / f"{name}.json").read_text())
    refund = data["payload"]["refund"]["entity"]
    payment = data["payload"]["payment"]["entity"]
    refund.update(id=row.external_refund_id, amount=row.amount_paise,
                  payment_id=row.external_payment_id, notes={"refund_id": row.id})
    payment.update(id=row.external_payment_id, amount=row.amount_paise,
                   amount_refunded=row.amount_paise if name == "refund__processed" else 0,
                   notes={"attempt_id": attempt_id})
    return json.dumps(data).encode()


def test_refund_webhooks_replayed_or_out_of_order_change_nothing_twice(city: City,
                                                                       book: Book) -> None:
    attempt_id, duplicate = _paid_twice(city)
    simulator.knobs.drop = True  # we post the refund's webhooks ourselves
    assert _refund(city, duplicate, _key(city)).status_code == 201
    [row] = _rows(city)
    assert row.status == "pending"
    failed = _refund_webhook(city, "refund__failed", row, attempt_id)
    processed = _refund_webhook(city, "refund__processed", row, attempt_id)
    event = "evt_" + secrets.token_hex(6)
    assert city.post(processed, event_id=event).json() == {"status": "accepted"}
    assert city.post(processed, event_id=event).json() == {"status": "duplicate"}
    city.post(processed)  # the same news under another event id
    city.post(failed)  # and a late, contradicting one
    city.settle()
    [row] = _rows(city)
    assert row.status == "processed"
    assert city.attempt(attempt_id).status == "captured"
    with city.gateway.ctx.sessions() as db:
        assert db.scalar(select(func.count()).select_from(PaymentAttempt).where(
            PaymentAttempt.status == "refunded")) == 0


def test_a_failed_refund_first_stays_failed_and_may_be_asked_again(city: City,
                                                                   book: Book) -> None:
    attempt_id, duplicate = _paid_twice(city)
    simulator.knobs.drop = True
    simulator.knobs.fail_refunds = 1  # the bank refuses it
    auth = _key(city)
    assert _refund(city, duplicate, auth).status_code == 201
    [row] = _rows(city)
    city.post(_refund_webhook(city, "refund__failed", row, attempt_id))
    city.post(_refund_webhook(city, "refund__processed", row, attempt_id))
    city.settle()
    assert _rows(city)[0].status == "failed"
    again = _refund(city, duplicate, auth)  # money not given back may be refunded anew
    assert again.status_code == 201 and again.json()["id"] != row.id


def test_the_citizen_who_paid_is_told_in_their_language(city: City, book: Book) -> None:
    phone = SmsPhone(city.gateway)
    phone.post(phone.form("hi"))

    def contact() -> str | None:
        with city.gateway.ctx.sessions() as db:
            return db.scalar(select(Message.contact_id).where(Message.direction == "in"))

    contact_id = _wait(contact)
    _, duplicate = _paid_twice(city, contact_id)
    with city.gateway.ctx.sessions() as db:
        before = db.scalar(select(func.count()).select_from(OutboxItem)) or 0
    assert _refund(city, duplicate, _key(city)).status_code == 201
    _wait(lambda: _rows(city)[0].notice_sent_at is not None)
    with city.gateway.ctx.sessions() as db:
        assert db.scalar(select(func.count()).select_from(OutboxItem)) == before + 1
        message = db.scalar(select(Message).where(Message.direction == "out")
                            .order_by(Message.created_at.desc()).limit(1))
        assert message is not None
        text = city.gateway.ctx.crypto.decrypt(message.body_enc)
    assert BILL in text and "4,80,000" not in text and "4,800" in text


@pytest.mark.parametrize("name", ["refund__processed", "refund__failed"])
def test_refund_webhooks_parse_from_documented_payloads(name: str) -> None:
    text = (FIXTURES / f"{name}.json").read_text()
    for key, value in (("{{amount}}", "5000"), ("{{payment_id}}", "pay_X"),
                       ("{{attempt_id}}", "a1"), ("{{refund_id}}", "rfnd_Y"),
                       ("{{our_refund}}", "r1")):
        text = text.replace(f'"{key}"', value if value.isdigit() else f'"{value}"')
    notice = parse(json.loads(text))
    assert notice.kind is (NoticeKind.REFUNDED if name == "refund__processed"
                           else NoticeKind.REFUND_FAILED)
    assert notice.refund is not None and notice.refund.payment_id == "pay_X"
    assert notice.refund.amount_paise == 5000 and notice.attempt_id == "a1"


def test_the_safety_net_resends_a_refund_whose_answer_was_lost(city: City,
                                                               book: Book) -> None:
    from datetime import timedelta

    from payments.refunds import retry_unanswered
    from services.db.base import utcnow

    _, duplicate = _paid_twice(city)
    simulator.knobs.drop = True
    simulator.knobs.api_faults = [503]  # this time the gateway never got it
    assert _refund(city, duplicate, _key(city)).status_code == 503
    assert simulator.refunds_of(duplicate) == []
    ctx = city.gateway.ctx
    assert retry_unanswered(ctx.sessions, ctx.crypto) == 0  # too recent: maybe on its way
    assert retry_unanswered(ctx.sessions, ctx.crypto, now=utcnow() + timedelta(minutes=3)) == 1
    [row] = _rows(city)
    assert row.status in ("pending", "processed") and row.tries == 2
    assert len(simulator.refunds_of(duplicate)) == 1
    assert retry_unanswered(ctx.sessions, ctx.crypto, now=utcnow() + timedelta(minutes=9)) == 0
    assert len(simulator.refunds_of(duplicate)) == 1
