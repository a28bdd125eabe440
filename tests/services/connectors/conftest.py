"""Fixtures for the connectors: the fake DIGIT and Open311 servers in their own processes, a
migrated and seeded SQLite database, a citizen, and connections made through the service."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from channels.contract import Medium
from services.accounts.service import messaging_account
from services.connectors.connections import CACHE, set_connection
from services.contacts.models import Contact
from services.db.engine import make_engine, make_sessionmaker
from services.security.crypto import Crypto
from services.settings import Settings
from services.tenancy.models import Category, Locality
from tests.services.grievances.conftest import crypto, settings, template
from tests.support.gateway import free_port

__all__ = ["crypto", "settings", "template"]

ROOT = Path(__file__).resolve().parents[3]
AMRITSAR = "pb.amritsar"
MOBILE = "9812345678"


@dataclass
class Fake:
    """A fake platform running in its own process."""

    base_url: str
    http: httpx.Client

    def reset(self) -> None:
        """Back to its empty state (demo bills only), no knobs."""
        self.http.post("/_fake/reset").raise_for_status()

    def knobs(self, **values: Any) -> None:
        """Turn knobs (`down`, `fail_creates`, `lose_answers`, …)."""
        self.http.post("/_fake/knobs", json=values).raise_for_status()

    def state(self) -> dict[str, Any]:
        """What it holds now."""
        response = self.http.get("/_fake/state")
        response.raise_for_status()
        return dict(response.json())

    def post(self, path: str, body: dict[str, Any]) -> httpx.Response:
        """A knob call with a JSON body."""
        return self.http.post(path, json=body)


@pytest.fixture(scope="session")
def _processes() -> Iterator[dict[str, Fake]]:
    """Both fakes, started once per session as `python -m …` processes."""
    started: list[subprocess.Popen[bytes]] = []
    fakes: dict[str, Fake] = {}
    try:
        for name in ("digit", "open311"):
            port = free_port()
            started.append(subprocess.Popen(
                [sys.executable, "-m", f"services.connectors.fakes.{name}", "--port", str(port)],
                cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
            base = f"http://127.0.0.1:{port}"
            client = httpx.Client(base_url=base, timeout=5)
            deadline = time.monotonic() + 20
            while True:
                try:
                    if client.get("/_fake/state").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"fake {name} did not start")
                time.sleep(0.05)
            fakes[name] = Fake(base, client)
        yield fakes
    finally:
        for fake in fakes.values():
            fake.http.close()
        for process in started:
            process.terminate()
            process.wait(timeout=10)


@pytest.fixture
def digit(_processes: dict[str, Fake]) -> Fake:
    """The fake DIGIT, emptied."""
    _processes["digit"].reset()
    return _processes["digit"]


@pytest.fixture
def open311(_processes: dict[str, Fake]) -> Fake:
    """The fake Open311 server, emptied."""
    _processes["open311"].reset()
    return _processes["open311"]


@pytest.fixture
def sessions(settings: Settings) -> Iterator[sessionmaker[Session]]:
    """Sessions on the test database (the connection cache forgotten around each test)."""
    CACHE.clear()
    engine = make_engine(settings.database_url)
    yield make_sessionmaker(engine)
    engine.dispose()
    CACHE.clear()


@pytest.fixture
def db(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """One session on the test database."""
    with sessions() as session:
        yield session


@dataclass(frozen=True)
class Citizen:
    """A citizen of the demo city who writes in Hindi by SMS."""

    contact_id: str
    account_id: str


@pytest.fixture
def citizen(db: Session, crypto: Crypto) -> Citizen:
    """A contact with an Indian mobile on the city's SMS account."""
    account = messaging_account(db, AMRITSAR, Medium.SMS)
    assert account is not None
    urn = f"tel:+91{MOBILE}"
    contact = Contact(tenant_id=AMRITSAR, urn_hash=crypto.lookup_hash(urn),
                      urn_enc=crypto.encrypt(urn), language="hi")
    db.add(contact)
    db.commit()
    return Citizen(contact.id, account.id)


def refs(db: Session, category: str = "garbage", locality: str = "hall-bazaar",
         ) -> tuple[str, str]:
    """The ids behind a demo category and locality code."""
    cat = db.scalar(select(Category.id).where(Category.tenant_id == AMRITSAR,
                                              Category.code == category))
    loc = db.scalar(select(Locality.id).where(Locality.tenant_id == AMRITSAR,
                                              Locality.code == locality))
    assert cat and loc
    return cat, loc


def connect(db: Session, crypto: Crypto, domain: str, kind: str, base_url: str,
            **config: str) -> None:
    """Point the demo city's domain at a platform (as staff would, logged)."""
    set_connection(db, crypto, actor="test", tenant_id=AMRITSAR, domain=domain, kind=kind,
                   base_url=base_url, config=config)
    db.commit()


def connect_digit(db: Session, crypto: Crypto, fake: Fake, domain: str = "grievances") -> None:
    """The demo city's domain on the fake DIGIT, with its system user."""
    connect(db, crypto, domain, "digit", fake.base_url, username="CONNECTOR",
            password="connector-pass")
