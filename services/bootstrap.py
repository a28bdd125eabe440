"""Preparing a database for use: migrations to head, then the demo city when enabled."""

from __future__ import annotations

from services.db.migrate import upgrade
from services.settings import Environment, Settings


class DemoRefused(Exception):
    """The demo city is only ever seeded in an explicit development run."""

    code = "seed_demo_outside_development"


def prepare(settings: Settings) -> None:
    """Apply Alembic migrations and, in development, seed the demo city."""
    upgrade(settings.database_url)
    if settings.seed_demo_enabled:
        seed(settings)


def seed(settings: Settings) -> None:
    """Seed (or refresh) the demo city in its own short-lived engine (development only)."""
    if settings.env is not Environment.DEVELOPMENT:
        raise DemoRefused(settings.env.value)
    from services.db.engine import make_engine, make_sessionmaker
    from services.security.crypto import Crypto
    from services.tenancy.demo import seed_demo

    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine)() as db:
            seed_demo(db, Crypto(settings.secret_key.get_secret_value()), settings.base_url)
            db.commit()
    finally:
        engine.dispose()
