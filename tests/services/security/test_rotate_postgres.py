"""Rotation on PostgreSQL: the JSON and LIKE predicates it relies on behave as on SQLite."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.bootstrap import prepare
from services.db.engine import make_engine, make_sessionmaker
from services.grievances.builtin import BuiltinRegistry
from services.security.crypto import Crypto
from services.security.rotate import pending_counts, rotate
from tests.services.security.test_rotate import NEW, _assert_all_under, _seed
from tests.support.gateway import make_settings
from tests.support.services import postgres_database


@pytest.mark.integration
def test_rotation_on_postgresql(tmp_path: Path) -> None:
    with postgres_database() as url:
        settings = make_settings(tmp_path, 0, database_url=url)
        prepare(settings)
        old = settings.secret_key.get_secret_value()
        engine = make_engine(url)
        try:
            with make_sessionmaker(engine)() as db:
                crypto = Crypto(old)
                _seed(db, crypto, BuiltinRegistry(db, crypto))
                ring = Crypto(f"{NEW},{old}")
                assert pending_counts(db, ring)["messages"] >= 2
                tallies = rotate(db, ring, size=2)
                assert all(t.failed == 0 for t in tallies.values())
                assert set(pending_counts(db, ring).values()) == {0}
                _assert_all_under(db, "k2")
        finally:
            engine.dispose()
