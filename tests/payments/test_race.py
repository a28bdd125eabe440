"""One payable attempt per bill is the database's rule: two attempts racing, one wins."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from payments.attempts import AttemptView
from payments.models import Bill, GatewayAccount, PaymentAttempt
from payments.razorpay import simulator
from services.db.base import utcnow
from tests.support.gateway import LiveGateway, free_port, make_settings
from tests.support.services import postgres_database

pytestmark = pytest.mark.integration


@pytest.fixture
def pg_gateway(tmp_path: Path) -> Iterator[LiveGateway]:
    """The demo gateway on a fresh PostgreSQL database."""
    with postgres_database() as url:
        port = free_port()
        live = LiveGateway(make_settings(tmp_path, port, database_url=url), port).start()
        yield live
        live.stop()


def _bill_id(gateway: LiveGateway) -> str:
    with gateway.ctx.sessions() as db:
        return str(db.scalar(select(Bill.id).where(Bill.bill_no == "PT-2026-0002")))


def test_two_starts_racing_on_one_bill_get_one_attempt(pg_gateway: LiveGateway) -> None:
    simulator.reset()
    bill_id = _bill_id(pg_gateway)
    barrier = threading.Barrier(4)
    views: list[AttemptView] = []

    def start() -> None:
        barrier.wait()
        views.append(pg_gateway.ctx.start_payment("pb.amritsar", bill_id))

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(views) == 4 and len({v.id for v in views}) == 1
    assert pg_gateway.count(PaymentAttempt, PaymentAttempt.bill_id == bill_id) == 1
    assert len(simulator.STATE.links) == 1  # the losers never asked the gateway


def test_the_database_refuses_a_second_open_attempt(pg_gateway: LiveGateway) -> None:
    bill_id = _bill_id(pg_gateway)
    with pg_gateway.ctx.sessions() as db:
        account_id = db.scalar(select(GatewayAccount.id))

    def attempt() -> PaymentAttempt:
        return PaymentAttempt(tenant_id="pb.amritsar", bill_id=bill_id, account_id=account_id,
                              amount_paise=1, status="open", refunded_paise=0,
                              expire_at=utcnow() + timedelta(minutes=30))

    with pg_gateway.ctx.sessions() as first, pg_gateway.ctx.sessions() as second:
        first.add(attempt())
        first.flush()  # holds the index entry until it commits
        second.add(attempt())
        outcome: list[BaseException] = []

        def flush_second() -> None:
            try:
                second.flush()
            except IntegrityError as exc:
                outcome.append(exc)

        racer = threading.Thread(target=flush_second)
        racer.start()
        racer.join(0.5)
        assert racer.is_alive()  # waiting on the first transaction's row
        first.commit()
        racer.join(10)
        assert outcome and isinstance(outcome[0], IntegrityError)
        second.rollback()
    with pg_gateway.ctx.sessions() as db:
        row = db.scalar(select(PaymentAttempt).where(PaymentAttempt.bill_id == bill_id))
        assert row is not None
        row.status = "expired"  # a closed attempt no longer holds the bill
        db.add(attempt())
        db.commit()
        total = db.scalar(select(func.count()).select_from(PaymentAttempt)
                          .where(PaymentAttempt.bill_id == bill_id))
    assert total == 2
