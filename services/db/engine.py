"""Engine and session factory for PostgreSQL (production) or SQLite (embedded)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

IDLE_PING_SECONDS = 10.0
"""A pooled connection idle this long is pinged before use; a busier one is not."""


def _sqlite_engine(url: str) -> Engine:
    """SQLite with real transactions: WAL, foreign keys, and BEGIN IMMEDIATE.

    Python's sqlite3 driver does not open a transaction before a SAVEPOINT, so a nested
    transaction would commit on its own; we take over BEGIN ourselves (SQLAlchemy's documented
    pysqlite recipe). IMMEDIATE takes the write lock up front, so a transaction that reads and then
    writes waits for other writers (busy_timeout) instead of failing with SQLITE_BUSY_SNAPSHOT.
    """
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def make_engine(url: str) -> Engine:
    """An engine tuned for the backend: see `_sqlite_engine`; a pool on PostgreSQL."""
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    engine = create_engine(url, pool_size=10, max_overflow=20, pool_recycle=1800)
    ping_when_idle(engine, IDLE_PING_SECONDS)
    return engine


def ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    """Ping a pooled connection before use only when it sat idle for `idle_seconds`.

    `pool_pre_ping` pings on every checkout: a round trip for each short session, several per
    turn and delivery under load, when a connection in steady use cannot have gone stale
    unnoticed. A connection idle for a while (the database restarted overnight, a firewall
    dropped it) is pinged, and a dead one is replaced before anyone uses it: the checkout
    event raising `DisconnectionError` makes the pool retry with a fresh connection. One that
    dies while busy fails its statement, is invalidated by SQLAlchemy with the rest of the
    pool, and the work is retried (webhooks: the provider on 503; turns and sends: the
    sweepers).
    """

    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < idle_seconds:
            return
        try:
            cursor = dbapi.cursor()
            cursor.execute("SELECT 1")
            cursor.close()
            dbapi.rollback()
        except Exception as error:  # any failure: drop it, take a fresh one
            raise exc.DisconnectionError() from error


def relax_commit(db: Session) -> None:
    """Let this transaction's commit return before its WAL record is flushed to disk.

    PostgreSQL's `synchronous_commit = off`, for one transaction (`SET LOCAL`): on a database
    crash the last fraction of a second of such commits may be lost, never corrupted, and a
    later synchronous commit flushes every earlier one with it. Used only where losing the
    write is harmless: a delivery's claim (lost, the row is simply due again, which is what a
    worker dying after the claim already means) and a spend reservation (lost, the day's total
    undercounts one send). The commit's disk flush, 1–3 ms here, otherwise dominates these
    short transactions. A no-op on SQLite.
    """
    transaction = db.get_transaction()
    if transaction is not None and db.info.get("relaxed") is transaction:
        return  # already set for this transaction
    connection = db.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL synchronous_commit = off")
        db.info["relaxed"] = db.get_transaction()


def insert_for(db: Session) -> Any:
    """The `insert` construct of the session's dialect (PostgreSQL's or SQLite's), which both
    take `on_conflict_do_nothing` / `on_conflict_do_update`: one statement where a SELECT, a
    savepoint and an INSERT would be four round trips."""
    return postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded attributes after commit."""
    return sessionmaker(engine, expire_on_commit=False)
