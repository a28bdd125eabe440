"""A migrated SQLite database per test, for the template registry."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from services.db.engine import make_engine, make_sessionmaker
from services.db.migrate import upgrade


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Session]:
    """A session on a fresh, fully migrated database."""
    url = f"sqlite:///{tmp_path / 'templates.db'}"
    upgrade(url)
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        yield session
    engine.dispose()
