"""Fixtures for payments: a live demo gateway with its simulated Razorpay account, signed
webhooks from fixture files, and a watch on the receipts issued."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from payments.attempts import AttemptView
from payments.models import Bill, GatewayAccount, PaymentAttempt, PaymentEvent
from payments.razorpay import simulator
from payments.receipts import issue as receipts_issue
from tests.payments.receipts_spy import Book
from tests.support.gateway import LiveGateway

FIXTURES = Path(__file__).parent / "fixtures" / "razorpay"


@pytest.fixture
def book(monkeypatch: pytest.MonkeyPatch) -> Iterator[Book]:
    """The receipts issued in this test, by the real receipts module, watched."""
    watched = Book()
    monkeypatch.setattr(receipts_issue, "issue_receipt", watched.issue)
    yield watched


@pytest.fixture(autouse=True)
def _fresh_simulator() -> Iterator[None]:
    """Each test starts with an empty simulator and no knobs set."""
    simulator.reset()
    yield
    simulator.reset()


@dataclass
class City:
    """The demo city's payments as a test drives them."""

    gateway: LiveGateway
    account_id: str
    webhook_secret: str

    @property
    def url(self) -> str:
        """The account's webhook path."""
        return f"/webhooks/razorpay/{self.account_id}"

    def bill(self, bill_no: str) -> Bill:
        """A demo bill by number."""
        with self.gateway.ctx.sessions() as db:
            bill = db.scalar(select(Bill).where(Bill.bill_no == bill_no))
            assert bill is not None
            db.expunge(bill)
            return bill

    def start(self, bill_no: str) -> AttemptView:
        """Start paying a demo bill (through the SDK against the simulator)."""
        return self.gateway.ctx.start_payment("pb.amritsar", self.bill(bill_no).id)

    def attempt(self, attempt_id: str) -> PaymentAttempt:
        """An attempt as stored now."""
        with self.gateway.ctx.sessions() as db:
            row = db.get(PaymentAttempt, attempt_id)
            assert row is not None
            db.expunge(row)
            return row

    def body(self, name: str, attempt: PaymentAttempt | AttemptView, *,
             amount: int | None = None, payment_id: str | None = None) -> bytes:
        """A fixture (`event__variant`) filled in for an attempt, as the gateway would send."""
        row = attempt if isinstance(attempt, PaymentAttempt) else self.attempt(attempt.id)
        values: dict[str, Any] = {
            "{{attempt_id}}": row.id, "{{link_id}}": row.external_link_id or "plink_x",
            "{{qr_id}}": row.external_qr_id or "qr_x",
            "{{payment_id}}": payment_id or "pay_" + secrets.token_hex(7),
            "{{amount}}": row.amount_paise if amount is None else amount}

        def fill(node: Any) -> Any:
            if isinstance(node, dict):
                return {k: fill(v) for k, v in node.items()}
            if isinstance(node, list):
                return [fill(v) for v in node]
            return values.get(node, node) if isinstance(node, str) else node

        data = fill(json.loads((FIXTURES / f"{name}.json").read_text()))
        return json.dumps(data).encode()

    def post(self, body: bytes, *, event_id: str | None = None,
             signature: str | None = None) -> httpx.Response:
        """POST a webhook signed with the account's secret (HMAC-SHA256 of the raw body)."""
        signed = signature or hmac.new(self.webhook_secret.encode(), body,
                                       hashlib.sha256).hexdigest()
        return self.gateway.http.post(self.url, content=body, headers={
            "content-type": "application/json", "x-razorpay-signature": signed,
            "x-razorpay-event-id": event_id or "evt_" + secrets.token_hex(8)})

    def settle(self, timeout: float = 10.0) -> None:
        """Wait until every recorded payment event was handled and its receipt issued."""
        deadline = time.monotonic() + timeout
        while (self.gateway.count(PaymentEvent, PaymentEvent.status == "pending")
               or self.gateway.count(PaymentAttempt, PaymentAttempt.status == "captured",
                                     PaymentAttempt.receipt_number.is_(None))):
            assert time.monotonic() < deadline, "payment events left unhandled"
            time.sleep(0.05)


@pytest.fixture
def city(gateway: LiveGateway) -> City:
    """The demo city's simulated Razorpay account."""
    with gateway.ctx.sessions() as db:
        account = db.scalar(select(GatewayAccount).where(
            GatewayAccount.tenant_id == "pb.amritsar", GatewayAccount.simulated.is_(True)))
        assert account is not None
        config = gateway.ctx.crypto.decrypt_json(account.config_enc)
        return City(gateway, account.id, str(config["webhook_secret"]))
