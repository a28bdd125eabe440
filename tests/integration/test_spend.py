"""The spend cap on PostgreSQL: workers reserving at once never pass the cap together."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from services.db.base import utcnow
from services.db.engine import make_engine, make_sessionmaker
from services.db.migrate import upgrade
from services.messaging.spend import day_total, reserve
from tests.support.services import postgres_database

pytestmark = pytest.mark.integration


def test_parallel_reservations_stop_exactly_at_the_cap() -> None:
    with postgres_database() as url:
        upgrade(url)
        engine = make_engine(url)
        sessions = make_sessionmaker(engine)
        now = utcnow()

        def one(_: int) -> bool:
            with sessions() as db:
                return reserve(db, "pb.amritsar", 25, now, default_cap=250) is not None

        try:
            with ThreadPoolExecutor(16) as pool:
                granted = list(pool.map(one, range(64)))
            assert sum(granted) == 10
            with sessions() as db:
                total = day_total(db, "pb.amritsar", now, 250)
            assert (total.spent_paise, total.sends) == (250, 10)
            assert total.capped_at is not None
        finally:
            engine.dispose()
