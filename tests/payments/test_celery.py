"""Production mode: the webhook is answered at once and a Celery worker process applies it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from payments.models import PaymentEvent
from services.settings import Settings
from tests.payments.conftest import City
from tests.support.gateway import LiveGateway, free_port, make_settings
from tests.support.services import CeleryWorker, postgres_database, redis_database, worker_env

pytestmark = pytest.mark.integration


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[LiveGateway]:
    """The API process on PostgreSQL with Redis and the Celery dispatcher (overrides the
    embedded `gateway` the `city` fixture uses)."""
    with postgres_database() as url:
        settings: Settings = make_settings(tmp_path, free_port(), database_url=url,
                                           redis_url=redis_database())
        live = LiveGateway(settings, int(settings.public_base_url.rsplit(":", 1)[1])).start()
        yield live
        live.stop()


def test_a_webhook_is_applied_by_a_worker_which_issues_the_receipt(
        gateway: LiveGateway, city: City, tmp_path: Path) -> None:
    worker = CeleryWorker(worker_env(gateway.settings), tmp_path / "worker.log").start()
    try:
        attempt = city.start("PT-2026-0002")
        answer = city.post(city.body("payment_link__paid", attempt, payment_id="pay_W1"))
        assert answer.json() == {"status": "accepted"}
        deadline = time.monotonic() + 30
        while city.attempt(attempt.id).status != "captured":
            assert time.monotonic() < deadline, "the worker did not apply the event"
            time.sleep(0.1)
        assert gateway.count(PaymentEvent, PaymentEvent.status == "done") == 1
    finally:
        worker.stop()
    # the worker issued the receipt in the same task: nothing is left to the safety net
    number = city.attempt(attempt.id).receipt_number
    assert number is not None and number.startswith("AMR/PT/")
    assert gateway.ctx.check_payments().receipts == 0
