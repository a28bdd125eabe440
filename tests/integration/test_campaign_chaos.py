"""A campaign survives `kill -9` of its worker and a Redis restart: every recipient gets exactly
one message, or is in the report as a possible in-flight duplicate.

Real PostgreSQL, a redis-server of the test's own on a free port (restarted by the test; the
machine's Redis is never touched), Celery worker processes with beat, and the Exotel SMS
adapter sending to a sink process that records every arrival.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bench import campaign_setup as setup
from services.campaigns import report
from services.campaigns.models import Campaign, CampaignSend
from services.campaigns.sender import SendConfig
from services.db.engine import make_engine, make_sessionmaker
from services.db.migrate import upgrade
from services.security.crypto import Crypto
from tests.support.gateway import free_port
from tests.support.services import ROOT, CeleryWorker, postgres_database

pytestmark = pytest.mark.integration
RECIPIENTS = 1200
RATE = 150
"""Sends a second the account allows: the campaign takes about eight seconds."""


class Server:
    """A child process in its own group (redis-server, the sink), stopped by its id."""

    def __init__(self, cmd: list[str], log: Path, env: dict[str, str] | None = None) -> None:
        self.cmd, self.log, self.env = cmd, log, env
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, ready: Callable[[], bool]) -> Server:
        """Start and wait until `ready` says so."""
        out = self.log.open("ab")
        self.process = subprocess.Popen(self.cmd, cwd=ROOT, stdout=out, stderr=out,
                                        env=self.env, start_new_session=True)
        deadline = time.monotonic() + 30
        while not ready():
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"{self.cmd[0]} did not start:\n{self.log.read_text()[-2000:]}")
            time.sleep(0.1)
        return self

    def kill(self) -> None:
        """SIGKILL its group."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def _answers(url: str) -> Callable[[], bool]:
    """Whether an HTTP server answers."""
    def check() -> bool:
        try:
            httpx.get(url, timeout=0.5)
        except httpx.HTTPError:
            return False
        return True
    return check


def _redis_up(port: int) -> Callable[[], bool]:
    """Whether our redis-server answers PING."""
    import redis

    def check() -> bool:
        try:
            return bool(redis.Redis(port=port, socket_connect_timeout=0.3).ping())
        except redis.RedisError:
            return False
    return check


@pytest.fixture
def redis_port(tmp_path: Path) -> Iterator[tuple[int, Callable[[], Server]]]:
    """A redis-server of this test's own (no persistence: a restart loses everything)."""
    port = free_port()
    servers: list[Server] = []

    def start() -> Server:
        server = Server(["redis-server", "--port", str(port), "--save", "", "--appendonly", "no",
                         "--dir", str(tmp_path)], tmp_path / "redis.log").start(_redis_up(port))
        servers.append(server)
        return server

    yield port, start
    for server in servers:
        server.kill()


def _in_flight(sessions: sessionmaker[Session], campaign_id: str) -> bool:
    """Whether some of the campaign's rows are claimed by a sender right now."""
    with sessions() as db:
        return bool(db.scalar(select(func.count()).select_from(CampaignSend).where(
            CampaignSend.campaign_id == campaign_id, CampaignSend.status == "sending")))


def _arrivals(sink: str) -> list[tuple[float, str]]:
    """Every send the sink has recorded."""
    records: list[tuple[float, str]] = []
    while True:
        page = httpx.get(f"{sink}/records", params={"since": len(records)}, timeout=10).json()
        if not page:
            return records
        records += [(float(t), str(to)) for t, to in page]


def test_a_killed_worker_and_a_redis_restart_send_each_recipient_once(
        tmp_path: Path, redis_port: tuple[int, Callable[[], Server]]) -> None:
    port, start_redis = redis_port
    redis_server = start_redis()
    sink_port = free_port()
    sink_url = f"http://127.0.0.1:{sink_port}"
    sink = Server([sys.executable, "-m", "uvicorn", "--app-dir", str(ROOT),
                   "bench.campaign_sink:app", "--port", str(sink_port), "--log-level",
                   "warning", "--no-access-log"], tmp_path / "sink.log",
                  {**os.environ}).start(_answers(sink_url + "/records"))
    secret = secrets.token_urlsafe(48)
    crypto = Crypto(secret)
    with postgres_database() as url:
        upgrade(url)
        engine = make_engine(url)
        sessions = make_sessionmaker(engine)
        with sessions() as db:
            setup.city(db)
            account_id = setup.sms_account(db, crypto, sink_url, RATE)
            audience = setup.recipients(RECIPIENTS)
            campaign_id = setup.campaign(db, crypto, account_id, audience)
            setup.start(db, campaign_id)
        env = {"NAGARSETU_ENV": "production", "DATABASE_URL": url,
               "REDIS_URL": f"redis://127.0.0.1:{port}/0", "NAGARSETU_SECRET_KEY": secret,
               "NAGARSETU_PUBLIC_BASE_URL": "http://127.0.0.1:9",
               "NAGARSETU_SWEEP_INTERVAL_SECONDS": "1",
               "NAGARSETU_CAMPAIGN_INFLIGHT_SECONDS": "3",
               "NAGARSETU_CAMPAIGN_STALL_SECONDS": "2",
               "NAGARSETU_CAMPAIGN_CHUNK_SECONDS": "4",
               "NAGARSETU_DAILY_SPEND_CAP_PAISE": str(10**12)}
        worker = CeleryWorker(env, tmp_path / "worker1.log").start()
        try:
            deadline = time.monotonic() + 60
            while len(_arrivals(sink_url)) < RECIPIENTS // 3 or not _in_flight(sessions,
                                                                               campaign_id):
                assert time.monotonic() < deadline, "the campaign never got going"
                time.sleep(0.05)
            worker.kill()  # kill -9, mid-chunk: rows are claimed and not yet settled
            redis_server.kill()  # the broker's queues and the limiter's windows are gone
            before_restart = len(_arrivals(sink_url))
            assert before_restart < RECIPIENTS
            start_redis()
            worker = CeleryWorker(env, tmp_path / "worker2.log").start()
            deadline = time.monotonic() + 90
            while True:
                with sessions() as db:
                    status = db.get_one(Campaign, campaign_id).status
                if status == "done":
                    break
                assert time.monotonic() < deadline, f"campaign still {status}"
                time.sleep(0.5)
        finally:
            worker.stop()
            sink_records = _arrivals(sink_url)
            sink.kill()
        with sessions() as db:
            rows = db.scalars(select(CampaignSend).where(
                CampaignSend.campaign_id == campaign_id)).all()
            figures = report.counters(db, db.get_one(Campaign, campaign_id))
            lines = "".join(report.report_lines(db, crypto, db.get_one(Campaign, campaign_id)))
        engine.dispose()
    got = Counter(to for _, to in sink_records)
    assert set(got) == {r.phone for r in audience}  # nobody missed
    assert {r.status for r in rows} == {"sent"}
    twice = {to for to, count in got.items() if count > 1}
    flagged = {crypto.decrypt(r.recipient_enc).split('"p":"')[1].split('"')[0]
               for r in rows if r.takeovers}
    assert flagged  # the killed worker held rows: they were taken over
    assert twice <= flagged  # every duplicate is reported as one
    assert max(got.values()) <= 2
    assert figures.sent == RECIPIENTS
    # at most what the chunks held when the worker died: 4 chunks of 32 claimed rows
    assert figures.possible_duplicates == len(flagged) <= 4 * SendConfig("").batch
    assert lines.count(",1,") >= len(flagged)  # the report's possible_duplicate column
    print(f"sent before the kill: {before_restart}, duplicates {len(twice)}, "
          f"reported possible duplicates {len(flagged)}")
