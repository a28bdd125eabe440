"""Pooled PostgreSQL connections: pinged only after sitting idle, replaced when found dead."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from services.db import engine as engine_module
from services.db.engine import make_engine
from tests.support.services import POSTGRES_ADMIN, postgres_database


@pytest.fixture
def engine() -> Iterator[Engine]:
    with postgres_database() as url:
        made = make_engine(url)
        yield made
        made.dispose()


def _kill_other_backends(engine: Engine) -> None:
    database = engine.url.database
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE datname = %s AND pid <> pg_backend_pid()", (database,))


def test_a_busy_connection_is_not_pinged_before_each_use(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    pid = None
    for _ in range(5):
        with engine.connect() as conn:
            current = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
            assert pid in (None, current)  # the same pooled connection each time
            pid = current
    # SQLAlchemy's ping on every checkout (a round trip per short session) is off.
    assert engine.pool._pre_ping is False  # type: ignore[attr-defined]


def test_an_idle_connection_killed_by_the_server_is_replaced_unnoticed(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    with engine.connect() as conn:
        before = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    _kill_other_backends(engine)  # a database restart, a dropped idle connection
    # Pretend the pooled connection has sat idle past the threshold.
    clock = engine_module.time.monotonic() + engine_module.IDLE_PING_SECONDS + 1
    monkeypatch.setattr(engine_module.time, "monotonic", lambda: clock)
    with engine.connect() as conn:  # no error: the ping found it dead, a fresh one was used
        after = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    assert after != before


def test_a_connection_killed_while_in_steady_use_fails_once_then_recovers(
        engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    _kill_other_backends(engine)
    with pytest.raises(DBAPIError) as failed:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    assert getattr(failed.value, "connection_invalidated", False)
    with engine.connect() as conn:  # the pool was refreshed: the next use works
        assert conn.execute(text("SELECT 1")).scalar_one() == 1
