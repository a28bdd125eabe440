"""A gateway deployment for one benchmark run, started with the documented commands.

Production: a fresh ``bench_*`` PostgreSQL database, Redis DB 7 (``--redis-db``), ``nagarsetu
migrate``, the city and a Twilio SMS account (``fixture``), one API process
(``uvicorn --factory services.web.app:app_factory --no-access-log``) and, when asked, Celery
workers (``celery -A services.tasks.celery_app worker``). Embedded: a SQLite file, no Redis,
``NAGARSETU_ENV=development`` (the in-process runner). Everything started is stopped on exit,
the database dropped and the Redis DB flushed.
"""

from __future__ import annotations

import secrets
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import psycopg
import redis

from bench.fixture import add_sms_account, create_city
from bench.procs import ROOT, VENV_BIN, Proc, clean_env, free_port, run_command
from bench.twilio_forms import Account

POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
QUEUES = "turns,replies,bulk,celery"
"""Every lane queue, and Celery's default one (where delivery tasks went before the lanes)."""
UVICORN_FLAGS = ("--host", "127.0.0.1", "--no-access-log", "--log-level", "warning")


def uvicorn(app: str, port: int, *, factory: bool = False) -> list[str]:
    """The uvicorn command line every server of a benchmark gets (one process, same flags)."""
    cmd = [str(VENV_BIN / "uvicorn"), "--app-dir", str(ROOT)]
    if factory:
        cmd.append("--factory")
    return [*cmd, app, "--port", str(port), *UVICORN_FLAGS]


@dataclass
class Gateway:
    """One deployment: its environment, account, and the processes it runs."""

    workdir: Path
    sink_url: str
    embedded: bool = False
    redis_db: int = 7
    port: int = field(default_factory=free_port)
    db_name: str = field(default_factory=lambda: "bench_" + secrets.token_hex(4))
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(48), repr=False)
    api: Proc | None = None
    workers: list[Proc] = field(default_factory=list)
    account: Account | None = None

    @property
    def base_url(self) -> str:
        """Where the API listens, which is also its public base URL (what Twilio signs)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def database_url(self) -> str:
        """The run's database."""
        if self.embedded:
            return f"sqlite:///{self.workdir / 'embedded.db'}"
        return f"postgresql://postgres@127.0.0.1:5432/{self.db_name}"

    @property
    def redis_url(self) -> str:
        """The run's Redis database."""
        return f"redis://127.0.0.1:6379/{self.redis_db}"

    def env(self) -> dict[str, str]:
        """The documented production (or embedded) environment."""
        extra = {"NAGARSETU_ENV": "development" if self.embedded else "production",
                 "NAGARSETU_SECRET_KEY": self.secret_key,
                 "NAGARSETU_PUBLIC_BASE_URL": self.base_url,
                 "DATABASE_URL": self.database_url,
                 # A benchmark's thousands of replies are not a city's spend: the cap's own
                 # behaviour is tested elsewhere, and here it would hold the replies measured.
                 "NAGARSETU_DAILY_SPEND_CAP_PAISE": str(10**12)}
        if not self.embedded:
            extra["REDIS_URL"] = self.redis_url
        return clean_env(extra)

    def create_city(self) -> None:
        """Database, migrations and the city's master data."""
        if not self.embedded:
            with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self.db_name}"')
            redis.Redis.from_url(self.redis_url).flushdb()
        run_command([str(VENV_BIN / "nagarsetu"), "migrate"], self.env())
        create_city(self.database_url)

    def prepare(self) -> Account:
        """Database, migrations, city and account."""
        self.create_city()
        self.account = add_sms_account(self.env(), self.database_url, self.base_url,
                                       self.sink_url)
        return self.account

    def start_api(self) -> None:
        """The API process, waited for until it answers."""
        self.api = Proc("gateway-api", uvicorn("services.web.app:app_factory", self.port,
                                               factory=True), self.env(), self.workdir)
        self.api.wait_http(self.base_url + "/healthz")

    def start_worker(self, concurrency: int) -> Proc:
        """One Celery worker on every queue, waited for until it answers a ping."""
        name = f"bench{len(self.workers) + 1}@{socket.gethostname()}"
        proc = Proc(f"celery-worker-{len(self.workers) + 1}", [
            str(VENV_BIN / "celery"), "-A", "services.tasks.celery_app", "worker", "-Q", QUEUES,
            "--concurrency", str(concurrency), "-n", name, "--loglevel", "WARNING",
            "--without-gossip", "--without-mingle"], self.env(), self.workdir)
        self.workers.append(proc)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if not proc.alive():
                raise RuntimeError(f"{proc.name} exited:\n{proc.log()}")
            try:
                run_command([str(VENV_BIN / "celery"), "-A", "services.tasks.celery_app",
                             "inspect", "ping", "-d", name, "--timeout", "3"], self.env(), 30)
                return proc
            except RuntimeError:
                time.sleep(0.5)
        raise RuntimeError(f"{proc.name} never answered a ping:\n{proc.log()}")

    def queued(self) -> int:
        """Tasks waiting in the broker's queues (0 when embedded)."""
        if self.embedded:
            return 0
        client = redis.Redis.from_url(self.redis_url)
        return sum(cast(int, client.llen(q)) for q in QUEUES.split(","))

    def stop(self) -> None:
        """Stop every process, drop the database, flush the Redis DB."""
        for proc in [*self.workers, *([self.api] if self.api else [])]:
            proc.stop()
        if self.embedded:
            return
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
        redis.Redis.from_url(self.redis_url).flushdb()
