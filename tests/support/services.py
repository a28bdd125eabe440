"""Real PostgreSQL, Redis and Celery worker processes for the integration tests.

A missing service fails the test with a clear message; it never skips. Point the tests at other
servers with NAGARSETU_TEST_POSTGRES_URL (an admin connection) and NAGARSETU_TEST_REDIS_URL.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
import pytest
import redis

if TYPE_CHECKING:
    from services.settings import Settings

POSTGRES_ADMIN = os.environ.get("NAGARSETU_TEST_POSTGRES_URL",
                                "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("NAGARSETU_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test; dropped afterwards."""
    name = "nagarsetu_it_" + secrets.token_hex(4)
    try:
        admin = psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL is required for integration tests ({POSTGRES_ADMIN}): {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        base = POSTGRES_ADMIN.rsplit("/", 1)[0]
        try:
            yield f"{base}/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def redis_database() -> str:
    """The Redis URL for integration tests, emptied; fails when Redis is not running."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=5)
    try:
        client.ping()
    except redis.ConnectionError as exc:
        pytest.fail(f"Redis is required for integration tests ({REDIS_URL}): {exc}")
    client.flushdb()
    client.close()
    return REDIS_URL


class CeleryWorker:
    """A real `celery worker` process (with an embedded beat) reading settings from env."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env = {**os.environ, **env}
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> CeleryWorker:
        """Start the worker and wait until it is ready to take tasks."""
        schedule = self.log_path.with_suffix(".beat")
        cmd = [sys.executable, "-m", "celery", "-A", "services.tasks.celery_app", "worker",
               "-Q", "turns,replies,bulk", "--beat", "--schedule", str(schedule),
               "--pool", "threads", "--concurrency", "4",
               "--loglevel", "INFO", "--without-gossip", "--without-mingle"]
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=log, stderr=log,
                                        start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("celery worker exited:\n" + self.log_path.read_text())
            if "ready." in self.log_path.read_text():
                return self
            time.sleep(0.2)
        raise RuntimeError("celery worker not ready:\n" + self.log_path.read_text())

    def kill(self) -> None:
        """Kill the worker outright (`kill -9`), as a crash or an OOM killer would."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        """Stop the worker (warm shutdown, then kill)."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def worker_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment of a worker process configured like the API process of `settings`."""
    return {"NAGARSETU_ENV": settings.env.value, "DATABASE_URL": settings.database_url,
            "REDIS_URL": str(settings.redis_url),
            "NAGARSETU_SECRET_KEY": settings.secret_key.get_secret_value(),
            "NAGARSETU_PUBLIC_BASE_URL": settings.public_base_url,
            "NAGARSETU_SWEEP_INTERVAL_SECONDS": "1", **extra}
