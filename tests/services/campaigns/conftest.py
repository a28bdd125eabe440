"""Campaign fixtures: a migrated SQLite database, a chat and an SMS fake account, a clock; and,
for the audience queries, the grievance tests' seeded database (demo city, a second city)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from channels import registry as channel_registry
from services.accounts.service import create_account
from services.campaigns import control
from services.campaigns.models import Campaign, CampaignSend
from services.campaigns.recipients import Recipient, exclusions_for
from services.campaigns.sender import Chunk, SendConfig, run_chunk
from services.consent.record import grant
from services.contacts.service import get_or_create
from services.db.base import IST
from services.db.engine import make_engine, make_sessionmaker
from services.db.migrate import upgrade
from services.ratelimit import Unlimited
from services.security.crypto import Crypto
from tests.services.campaigns.fake_chat.adapter import Adapter as Chat
from tests.services.campaigns.fake_chat.adapter import accept
from tests.services.campaigns.fake_sms.adapter import Adapter as Sms
from tests.services.campaigns.fake_sms.adapter import accept as sms_accept
from tests.services.grievances.conftest import crypto, db, registry, settings, template

__all__ = ["crypto", "db", "registry", "settings", "template"]

TENANT = "pb.amritsar"
NOON_IST = datetime(2026, 12, 3, 12, 0, tzinfo=IST)
TEXT = {"en": "Dear {name}, water supply in {ward} stops on {day}.",
        "hi": "प्रिय {name}, {ward} में {day} को पानी बंद रहेगा।"}


@dataclass
class Clock:
    """Time that moves only when the test says."""

    moment: datetime = NOON_IST

    def __call__(self) -> datetime:
        """The current (fake) time, in UTC as the application's clock gives it (SQLite keeps
        a time without its zone)."""
        return self.moment.astimezone(UTC)

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        self.moment += timedelta(seconds=seconds)


def people(count: int, start: int = 0, language: str = "en") -> list[Recipient]:
    """Recipients with distinct numbers and the variables the text needs."""
    return [Recipient(f"+9198{start + n:08d}", language, f"Citizen {start + n}",
                      {"ward": "Ward 7", "day": "Friday"}) for n in range(count)]


@dataclass
class World:
    """One test's database, accounts, clock and sender settings."""

    sessions: sessionmaker[Session]
    crypto: Crypto
    chat_id: str
    sms_id: str
    clock: Clock
    config: SendConfig = field(default_factory=lambda: SendConfig(
        "https://gw.example.in", inflight_seconds=60, batch=5, settle_every=2,
        control_seconds=0.0, senders=1))

    def campaign(self, recipients: Sequence[Recipient], *, purpose: str = "transactional",
                 steps: Sequence[str] | None = None, actor: str = "staff:m1",
                 fallback_seconds: int | None = None, start: bool = True) -> str:
        """A campaign to these recipients, submitted and started (unless told not to)."""
        chosen = list(steps) if steps is not None else [self.chat_id]
        with self.sessions() as db:
            row = control.create(db, tenant_id=TENANT, actor=actor, draft=control.Draft(
                "water-cut", purpose, chosen, {account: TEXT for account in chosen},
                fallback_seconds=fallback_seconds))
            control.add_audience(db, self.crypto, row, recipients,
                                 exclusions_for(db, self.crypto, row.steps))
            if start:
                control.act(db, row, "submit", actor=actor, now=self.clock())
                control.act(db, row, "start", actor=actor, now=self.clock())
            db.commit()
            return row.id

    def grant(self, recipients: Sequence[Recipient], purpose: str) -> None:
        """These recipients become contacts who granted `purpose` on every channel."""
        with self.sessions() as db:
            for recipient in recipients:
                contact = get_or_create(db, self.crypto, TENANT, f"tel:{recipient.phone}")
                db.flush()
                grant(db, contact, purpose, "*", "form:test")
            db.commit()

    def chunk(self, campaign_id: str, config: SendConfig | None = None,
              test: bool = False) -> Chunk:
        """One chunk with this world's clock, no limits and no real sleeping."""
        return run_chunk(self.sessions, self.crypto, Unlimited(), config or self.config,
                         campaign_id, test=test, now=self.clock, sleep=lambda s: None)

    def rows(self, campaign_id: str) -> list[CampaignSend]:
        """The campaign's outbox rows in id order."""
        with self.sessions() as db:
            return list(db.scalars(select(CampaignSend).where(
                CampaignSend.campaign_id == campaign_id).order_by(CampaignSend.id)))

    def status(self, campaign_id: str) -> str:
        """The campaign's state now."""
        with self.sessions() as db:
            return db.get_one(Campaign, campaign_id).status

    def act(self, campaign_id: str, action: str, actor: str = "staff:m1") -> None:
        """A staff action, committed."""
        with self.sessions() as db:
            control.act(db, db.get_one(Campaign, campaign_id), action, actor=actor,
                        now=self.clock())
            db.commit()


@pytest.fixture(scope="session")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file with every migration applied, copied by each test."""
    path = tmp_path_factory.mktemp("campaigns") / "c.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def world(migrated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """A fresh database with a chat account and an SMS account of the city."""
    monkeypatch.setitem(channel_registry._PACKAGES, Chat.channel_type,
                        "tests.services.campaigns.fake_chat")
    monkeypatch.setitem(channel_registry._PACKAGES, Sms.channel_type,
                        "tests.services.campaigns.fake_sms")
    monkeypatch.setattr(Chat, "script", staticmethod(accept))
    monkeypatch.setattr(Sms, "script", staticmethod(sms_accept))
    monkeypatch.setattr(Chat, "sent", [])
    path = tmp_path / "c.db"
    shutil.copy(migrated, path)
    engine = make_engine(f"sqlite:///{path}")
    sessions = make_sessionmaker(engine)
    crypto = Crypto("campaign-tests-" + "k" * 40)
    with sessions() as db:
        chat = create_account(db, crypto, tenant_id=TENANT, channel_type=Chat.channel_type,
                              config={"address": "+911800100100"})
        sms = create_account(db, crypto, tenant_id=TENANT, channel_type=Sms.channel_type,
                             config={"address": "NGRSTU"})
        db.commit()
        ids = chat.id, sms.id
    yield World(sessions, crypto, *ids, Clock())
    engine.dispose()
