"""Delivery fixtures: a migrated SQLite database, a fake channel, a clock, a limiter, a random."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from channels import registry
from channels.contract import RateLimit
from services.accounts.models import ChannelAccount
from services.accounts.service import create_account
from services.contacts.models import Contact
from services.contacts.service import get_or_create
from services.db.base import utcnow
from services.db.engine import make_engine, make_sessionmaker
from services.db.migrate import upgrade
from services.messaging.attempt import DeliveryConfig, Outcome
from services.messaging.delivery import deliver
from services.messaging.lanes import Lane
from services.messaging.models import Message, OutboxItem
from services.messaging.outbox import queue_message
from services.security.crypto import Crypto
from tests.services.messaging.fake_channel.adapter import Adapter, Send, accept

TENANT = "pb.amritsar"
NUMBER = "+919812345678"
TEXT = "Your grievance PB-AMR-2026-000042 about the drain is resolved"


@dataclass
class Clock:
    """Time that moves only when the test says."""

    moment: datetime = field(default_factory=lambda: utcnow().replace(microsecond=0))

    def __call__(self) -> datetime:
        """The current (fake) time."""
        return self.moment

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        self.moment += timedelta(seconds=seconds)


@dataclass
class Pinned:
    """A random source that always picks the same fraction of the range (0: low, 1: high)."""

    fraction: float

    def uniform(self, a: float, b: float) -> float:
        """a + fraction * (b - a)."""
        return a + self.fraction * (b - a)


@dataclass
class FakeLimiter:
    """Refuses the buckets it was told to (seconds to wait), records every request."""

    waits: dict[str, float] = field(default_factory=dict)
    asked: list[tuple[str, RateLimit]] = field(default_factory=list)
    broken: bool = False

    def acquire(self, key: str, limit: RateLimit, *, fail_open: bool = False) -> float:
        """0.0 unless a wait was set for this kind of bucket ("recipient:" or "account:")."""
        self.asked.append((key, limit))
        if self.broken:
            raise ConnectionError("limiter store unreachable")
        return self.waits.get(bucket_kind(key) + ":", 0.0)


def bucket_kind(key: str) -> str:
    """Whether a limiter key is a recipient's bucket or an account's."""
    return "recipient" if ":to:" in key else "account"


@dataclass
class World:
    """One test's database, fake channel account, contact, clock and delivery call."""

    engine: Engine
    sessions: sessionmaker[Session]
    crypto: Crypto
    account_id: str
    contact_id: str
    clock: Clock
    limiter: FakeLimiter
    config: DeliveryConfig

    def queue(self, text: str = TEXT, lane: Lane = Lane.REPLY) -> str:
        """Queue a message to the contact, due at the clock's time; its outbox id."""
        with self.sessions() as db:
            account = db.get_one(ChannelAccount, self.account_id)
            contact = db.get_one(Contact, self.contact_id)
            outbox_id = queue_message(db, self.crypto, account=account, contact=contact,
                                      text=text, lane=lane)
            item = db.get_one(OutboxItem, outbox_id)
            item.created_at = item.next_attempt_at = self.clock()
            db.commit()
        return outbox_id

    def deliver(self, outbox_id: str, rng: Pinned | None = None,
                config: DeliveryConfig | None = None) -> Outcome:
        """One delivery attempt with this world's clock and limiter."""
        return deliver(self.sessions, self.crypto, config or self.config, outbox_id,
                       limiter=self.limiter, now=self.clock, rng=rng or Pinned(0.5))

    def row(self, outbox_id: str) -> tuple[OutboxItem, Message]:
        """The outbox row and its message as stored now."""
        with self.sessions() as db:
            item = db.get_one(OutboxItem, outbox_id)
            return item, db.get_one(Message, item.message_id)

    def script(self, monkeypatch: pytest.MonkeyPatch, send: Send) -> None:
        """What the fake provider does on each send."""
        monkeypatch.setattr(Adapter, "script", staticmethod(send))


@pytest.fixture(scope="session")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file with the project's migrations applied, copied by each test."""
    path = tmp_path_factory.mktemp("schema") / "outbox.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def world(migrated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """A fresh database with one fake-channel account and one citizen."""
    monkeypatch.setitem(registry._PACKAGES, Adapter.channel_type,
                        "tests.services.messaging.fake_channel")
    monkeypatch.setattr(Adapter, "script", staticmethod(accept))
    monkeypatch.setattr(Adapter, "sent", [])
    path = tmp_path / "outbox.db"
    shutil.copy(migrated, path)
    engine = make_engine(f"sqlite:///{path}")
    sessions = make_sessionmaker(engine)
    crypto = Crypto("delivery-tests-" + "k" * 40)
    with sessions() as db:
        account = create_account(db, crypto, tenant_id=TENANT, channel_type=Adapter.channel_type,
                                 config={"address": "@city_bot"})
        contact = get_or_create(db, crypto, TENANT, f"tel:{NUMBER}")
        db.commit()
        ids = account.id, contact.id
    yield World(engine, sessions, crypto, *ids, Clock(), FakeLimiter(),
                DeliveryConfig("https://gw.example.in", max_attempts=3, inflight_seconds=120))
    engine.dispose()
