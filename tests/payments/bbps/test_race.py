"""Duplicate payment posts in parallel (the aggregator re-sending on timeouts): one receipt."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import func, select

from payments.bbps.auth import make_jwt
from payments.bbps.models import BbpsBiller, BbpsPayment
from payments.models import Bill, PaymentAttempt
from payments.receipts.models import Receipt
from tests.payments.bbps.conftest import fixture
from tests.support.gateway import LiveGateway


@pytest.mark.integration
@pytest.mark.parametrize("live", ["postgresql"], indirect=True)
def test_parallel_duplicate_posts_get_the_same_receipt(live: LiveGateway) -> None:
    with live.ctx.sessions() as db:
        biller = db.scalar(select(BbpsBiller).where(BbpsBiller.service == "property_tax"))
        bill = db.scalar(select(Bill).where(Bill.bill_no == "PT-2026-0001"))
        assert biller is not None and bill is not None
        config = live.ctx.crypto.decrypt_json(biller.config_enc)
        biller_id, bill_id, amount = biller.id, bill.id, bill.amount_paise
    body = fixture("fetchReceipt__upi", bill_id=bill_id, amount=amount, ref="PPRACE000001")

    def post(_: int) -> httpx.Response:
        token = make_jwt(str(config["scheme_id"]), str(config["secret"]))
        with httpx.Client(base_url=live.base_url, timeout=30) as client:
            return client.post(f"/bbps/{biller_id}/bills/fetchReceipt", content=body,
                               headers={"authorization": f"Bearer {token}"})

    with ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(post, range(12)))
    assert [a.status_code for a in answers] == [200] * 12, [a.text for a in answers]
    assert len({a.json()["data"]["receipt"]["id"] for a in answers}) == 1
    with live.ctx.sessions() as db:
        assert db.scalar(select(func.count()).select_from(BbpsPayment)) == 1
        assert db.scalar(select(func.count()).select_from(PaymentAttempt).where(
            PaymentAttempt.bill_id == bill_id)) == 1
        assert db.scalar(select(func.count()).select_from(Receipt)) == 1
