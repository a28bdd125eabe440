"""Fixtures for registry unit tests: a migrated, seeded SQLite database and its crypto."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from services.bootstrap import prepare
from services.db.engine import make_engine, make_sessionmaker
from services.grievances.builtin import BuiltinRegistry
from services.security.crypto import Crypto
from services.settings import Settings
from tests.services.grievances.helpers import add_city
from tests.support.gateway import make_settings


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """One database migrated and seeded per session (migrations take most of a second)."""
    settings = make_settings(tmp_path_factory.mktemp("template"), 0)
    prepare(settings)
    return settings


@pytest.fixture
def settings(template: Settings, tmp_path: Path) -> Settings:
    """A fresh copy of the template database, with the template's secret."""
    shutil.copy(template.database_url.removeprefix("sqlite:///"), tmp_path / "gateway.db")
    return make_settings(tmp_path, 0, secret_key=template.secret_key.get_secret_value())


@pytest.fixture
def crypto(settings: Settings) -> Crypto:
    """Field encryption with the test secret."""
    return Crypto(settings.secret_key.get_secret_value())


@pytest.fixture
def db(settings: Settings) -> Iterator[Session]:
    """A session on the test database, with a second city `pb.ludhiana` added."""
    engine = make_engine(settings.database_url)
    with make_sessionmaker(engine)() as session:
        add_city(session)
        session.commit()
        yield session
    engine.dispose()


@pytest.fixture
def registry(db: Session, crypto: Crypto) -> BuiltinRegistry:
    """The built-in registry over the test database."""
    return BuiltinRegistry(db, crypto)
