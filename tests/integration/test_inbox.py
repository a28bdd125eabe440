"""The transactional inbox in production mode: crashes, a broker outage, duplicates, order.

PostgreSQL, Redis and real Celery worker processes. Webhooks only record events; workers run
the turns, one conversation at a time, and the sweeper finds whatever was left behind.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
import redis
from sqlalchemy import create_engine, select

from services.inbox.models import InboxEvent
from services.messaging.models import Message
from services.settings import Settings
from tests.support.gateway import LiveGateway, SmsPhone, free_port, make_settings
from tests.support.services import CeleryWorker, postgres_database, redis_database, worker_env

pytestmark = pytest.mark.integration
FAST_RECOVERY = {"NAGARSETU_TURN_LEASE_SECONDS": "3", "NAGARSETU_INBOX_SWEEP_AGE_SECONDS": "1",
                 "NAGARSETU_INBOUND_PER_SENDER_PER_MINUTE": "1000"}
"""Quick recovery; and one citizen's 100 messages in a few seconds are not a flood here."""


def _settings(tmp_path: Path, database_url: str, redis_url: str) -> Settings:
    """Production-mode settings with quick sweeps, so recovery is seen within seconds."""
    return make_settings(tmp_path, free_port(), database_url=database_url, redis_url=redis_url,
                         sweep_interval_seconds=1.0, turn_lease_seconds=3.0,
                         inbox_sweep_age_seconds=1.0)


@pytest.fixture
def prod(tmp_path: Path) -> Iterator[LiveGateway]:
    """The API process on PostgreSQL and Redis, with no worker yet."""
    with postgres_database() as url:
        settings = _settings(tmp_path, url, redis_database())
        live = LiveGateway(settings, int(settings.public_base_url.rsplit(":", 1)[1])).start()
        yield live
        live.stop()


def _worker(gateway: LiveGateway, tmp_path: Path, name: str = "worker") -> CeleryWorker:
    """A worker process on every queue, recovering quickly."""
    return CeleryWorker(worker_env(gateway.settings, **FAST_RECOVERY), tmp_path / f"{name}.log")


def _wait(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll until the condition holds, or fail saying what did not happen."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


def test_the_same_event_delivered_in_parallel_has_one_effect(prod: LiveGateway,
                                                             tmp_path: Path) -> None:
    phone = SmsPhone(prod)
    form = phone.form("hello")
    with ThreadPoolExecutor(16) as pool:
        codes = list(pool.map(lambda _: phone.post(form).status_code, range(32)))
    assert codes == [200] * 32
    assert prod.count(InboxEvent) == 1
    worker = _worker(prod, tmp_path).start()
    try:
        assert "2. हिन्दी" in "\n".join(phone.receive(1, timeout=30))
        time.sleep(3)  # several sweeps later, still one reply
        assert len(phone.inbox()) == 1
        assert prod.count(Message, Message.direction == "in") == 1
    finally:
        worker.stop()


def _blocked_turns(url: str) -> int:
    """Backends waiting on a lock while inserting into the message log (a turn mid-way)."""
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                           " AND query ILIKE 'INSERT INTO messages%'").fetchone()
        return int(row[0]) if row else 0


def test_a_worker_killed_mid_turn_has_the_turn_done_again_once(prod: LiveGateway,
                                                               tmp_path: Path) -> None:
    url = prod.settings.database_url
    worker = _worker(prod, tmp_path, "killed").start()
    blocker = psycopg.connect(url)
    blocker.execute("LOCK TABLE messages IN EXCLUSIVE MODE")  # the turn's insert will wait
    phone = SmsPhone(prod)
    phone.send("hello")
    _wait(lambda: _blocked_turns(url) == 1, 30, "the turn to reach the message log")
    worker.kill()  # kill -9 in the middle of the turn's transaction
    blocker.rollback()
    blocker.close()
    assert phone.inbox() == []
    assert prod.count(InboxEvent, InboxEvent.status == "pending") == 1
    second = _worker(prod, tmp_path, "second").start()
    try:
        assert "2. हिन्दी" in "\n".join(phone.receive(1, timeout=30))
        time.sleep(3)
        assert len(phone.inbox()) == 1  # one reply: the killed turn left nothing behind
        assert prod.count(Message, Message.direction == "in") == 1
        assert prod.count(InboxEvent, InboxEvent.status == "done") == 1
    finally:
        second.stop()


class RedisServer:
    """A Redis server process of the test's own, to be stopped and started again."""

    def __init__(self, port: int) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is required for the broker outage test")
        self.cmd = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                    "--appendonly", "no"]
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> RedisServer:
        """Start and wait until it answers."""
        self.process = subprocess.Popen(self.cmd, stdout=subprocess.DEVNULL)
        client = redis.Redis.from_url(self.url)
        _wait(lambda: _pings(client), 10, "redis to start")
        return self

    def stop(self) -> None:
        """Stop the server (everything in it is lost, as the design allows)."""
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)


def _pings(client: redis.Redis) -> bool:
    """Whether a Redis client gets an answer."""
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


def test_events_acknowledged_while_the_broker_is_down_are_handled_when_it_returns(
        tmp_path: Path) -> None:
    broker = RedisServer(free_port()).start()
    with postgres_database() as url:
        settings = _settings(tmp_path, url, broker.url)
        live = LiveGateway(settings, int(settings.public_base_url.rsplit(":", 1)[1])).start()
        try:
            phones = [SmsPhone(live) for _ in range(5)]
            broker.stop()
            for phone in phones:
                started = time.monotonic()
                phone.send("hello")  # asserts 200: acknowledged
                assert time.monotonic() - started < 3  # not stuck retrying the broker
            assert live.count(InboxEvent, InboxEvent.status == "pending") == 5
            broker.start()
            worker = _worker(live, tmp_path).start()
            try:
                for phone in phones:
                    assert "2. हिन्दी" in "\n".join(phone.receive(1, timeout=30))
                assert live.count(InboxEvent, InboxEvent.status == "done") == 5
            finally:
                worker.stop()
        finally:
            live.stop()
            broker.stop()


def test_one_citizens_messages_are_handled_in_order_among_a_thousand_others(
        prod: LiveGateway, tmp_path: Path) -> None:
    worker = _worker(prod, tmp_path).start()
    citizen = SmsPhone(prod)
    others = [SmsPhone(prod) for _ in range(100)]
    sent = [f"m{i:03d}" for i in range(100)]
    try:
        with ThreadPoolExecutor(8) as pool:
            crowd = [pool.submit(others[i % 100].send, f"x{i}") for i in range(1000)]
            for text in sent:
                citizen.send(text)
            for future in crowd:
                future.result()
        _wait(lambda: prod.count(InboxEvent, InboxEvent.status == "pending") == 0, 240,
              "every event to be handled")
        assert prod.count(InboxEvent, InboxEvent.status == "done") == 1100
        ctx = prod.ctx
        with ctx.sessions() as db:
            rows = db.scalars(select(Message).where(Message.direction == "in")
                              .order_by(Message.created_at, Message.id)).all()
            texts = [ctx.crypto.decrypt(m.body_enc) for m in rows]
        handled = [t for t in texts if t.startswith("m")]
        assert handled == sent  # the citizen's own order, whatever the crowd did
    finally:
        worker.stop()


def test_served_webhooks_are_group_committed_and_a_database_outage_is_a_503(
        prod: LiveGateway) -> None:
    """In a served gateway on PostgreSQL the webhook's rows go through the writer thread; when
    the database cannot be reached the provider is told to retry (503 with a code), not 500."""
    writer = prod.ctx.inbox_writer
    assert writer is not None
    submitted: list[int] = []
    submit = writer.submit
    writer.submit = lambda rows: (submitted.append(len(rows)), submit(rows))[1]  # type: ignore[method-assign]
    phone = SmsPhone(prod)
    assert phone.post(phone.form("hello")).status_code == 200  # fills the account cache
    assert phone.post(phone.form("1")).status_code == 200
    assert submitted  # answered through the writer once the account was cached
    assert prod.count(InboxEvent) == 2
    forged = phone.post(phone.form("2"), signature="bad")  # still verified before anything
    assert forged.status_code == 403
    live_engine = writer.engine
    writer.engine = create_engine("postgresql+psycopg://postgres@127.0.0.1:1/none",
                                  connect_args={"connect_timeout": 2})
    try:
        down = phone.post(phone.form("3"))
    finally:
        writer.engine.dispose()
        writer.engine = live_engine
    assert down.status_code == 503
    assert down.json() == {"error": "database_unavailable"}
    assert phone.post(phone.form("3")).status_code == 200  # the provider's retry lands
    assert prod.count(InboxEvent) == 3
