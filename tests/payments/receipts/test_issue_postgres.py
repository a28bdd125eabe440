"""On PostgreSQL, workers issuing at once: one receipt per payment, numbers without gaps."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from payments.receipts.issue import issue_receipt
from payments.receipts.models import Receipt, ReceiptKey
from tests.payments.receipts.support import payment, receipt_db
from tests.support.services import postgres_database

pytestmark = pytest.mark.integration


def test_racing_workers_issue_each_payment_once_and_number_without_gaps() -> None:
    refs = [f"pay-{i % 12}" for i in range(48)]  # each payment delivered four times
    start = threading.Barrier(16)
    with postgres_database() as url, receipt_db(url) as (sessions, _):

        def one(job: tuple[int, str]) -> str:
            index, ref = job
            if index < 16:  # the first sixteen start together (the key is made by one)
                start.wait(timeout=10)
            with sessions() as db:
                number = issue_receipt(db, payment(ref)).number
                db.commit()
                return number

        with ThreadPoolExecutor(16) as pool:
            answers = list(pool.map(one, enumerate(refs)))
        with sessions() as db:
            rows = db.execute(select(Receipt.payment_ref, Receipt.number)).all()
            keys = db.scalar(select(func.count()).select_from(ReceiptKey))
    by_ref = dict(rows)
    assert len(rows) == 12 and keys == 1
    assert all(answers[i] == by_ref[ref] for i, ref in enumerate(refs))
    assert sorted(by_ref.values()) == [f"AMR/PT/2026-27/{n:06d}" for n in range(1, 13)]
