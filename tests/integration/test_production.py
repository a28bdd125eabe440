"""Production mode for real: PostgreSQL with Alembic, Redis sessions and broker, Celery worker."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from sqlalchemy import create_engine, inspect

from services.accounts.models import ChannelAccount
from services.contacts.service import get_or_create, urn_for
from services.grievances.models import Grievance
from services.inbox.models import InboxEvent
from services.messaging.models import Message, OutboxItem
from services.messaging.outbox import queue_message
from services.settings import Settings
from tests.support.gateway import LiveGateway, SmsPhone, free_port, make_settings
from tests.support.services import (
    CeleryWorker,
    postgres_database,
    redis_database,
    worker_env,
)

pytestmark = pytest.mark.integration
GRIEVANCE_ID = re.compile(r"PB-AMR-\d{4}-\d{6}")


@pytest.fixture
def prod_settings(tmp_path: Path) -> Iterator[Settings]:
    """Settings on a fresh PostgreSQL database and an empty Redis database."""
    with postgres_database() as url:
        yield make_settings(tmp_path, free_port(), database_url=url,
                            redis_url=redis_database(), sweep_interval_seconds=1.0)


@pytest.fixture
def prod_gateway(prod_settings: Settings) -> Iterator[LiveGateway]:
    """The API process in production mode (Celery dispatcher, Redis sessions)."""
    port = int(prod_settings.public_base_url.rsplit(":", 1)[1])
    live = LiveGateway(prod_settings, port).start()
    yield live
    live.stop()


def _worker(settings: Settings, tmp_path: Path) -> CeleryWorker:
    """A Celery worker process configured like the API process."""
    return CeleryWorker(worker_env(settings), tmp_path / "worker.log")


def test_alembic_migrations_build_the_schema_on_postgresql(prod_gateway: LiveGateway) -> None:
    tables = set(inspect(create_engine(prod_gateway.settings.database_url
                                       .replace("postgresql://", "postgresql+psycopg://")))
                 .get_table_names())
    assert {"alembic_version", "grievances", "grievance_events", "messages", "outbox",
            "contacts", "tenants", "staff_keys"} <= tables


def test_conversation_over_postgres_redis_and_a_celery_worker(
        prod_gateway: LiveGateway, tmp_path: Path) -> None:
    worker = _worker(prod_gateway.settings, tmp_path).start()
    try:
        phone = SmsPhone(prod_gateway)
        assert "2. हिन्दी" in phone.chat("hello")
        phone.chat("1")
        sessions = redis.Redis.from_url(str(prod_gateway.settings.redis_url))
        assert any(k.startswith(b"ns:session:") for k in sessions.keys("ns:session:*"))
        phone.chat("1")
        phone.chat("1")
        phone.chat("1")
        phone.chat("The drain outside house 12 is overflowing onto the road")
        filed = phone.chat("yes")
        found = GRIEVANCE_ID.search(filed)
        assert found, filed
        assert prod_gateway.count(Grievance, Grievance.public_id == found.group()) == 1
        assert prod_gateway.count(OutboxItem, OutboxItem.status != "sent") == 0
    finally:
        worker.stop()


def test_outbox_delivers_after_the_worker_was_down(prod_gateway: LiveGateway,
                                                   tmp_path: Path) -> None:
    phone = SmsPhone(prod_gateway)
    phone.send("hello")  # recorded while no worker runs; its turn waits in the inbox
    assert phone.receive(at_least=1, timeout=1.5) == []
    assert prod_gateway.count(InboxEvent, InboxEvent.status == "pending") == 1
    assert prod_gateway.count(OutboxItem) == 0

    # A message whose broker enqueue was lost entirely: only the beat sweeper can find it.
    ctx = prod_gateway.ctx
    with ctx.sessions() as db:
        account = db.query(ChannelAccount).filter_by(channel_type="twilio-sms").one()
        contact = get_or_create(db, ctx.crypto, account.tenant_id, urn_for("sms", phone.number))
        queue_message(db, ctx.crypto, account=account, contact=contact, text="lost enqueue")
        db.commit()

    worker = _worker(prod_gateway.settings, tmp_path).start()
    try:
        got = phone.receive(at_least=2, timeout=30)
        assert len(got) == 2, got
        assert "lost enqueue" in got
        deadline = time.monotonic() + 10  # the phone may show it before the worker records it
        while prod_gateway.count(OutboxItem, OutboxItem.status == "sent") < 2:
            assert time.monotonic() < deadline, "deliveries not recorded as sent"
            time.sleep(0.1)
        assert prod_gateway.count(Message, Message.direction == "out",
                                  Message.external_id.is_(None)) == 0
    finally:
        worker.stop()
