"""A database session for command-line tools: the configured database, migrated first."""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.db.engine import make_engine, make_sessionmaker
from services.db.migrate import upgrade
from services.settings import get_settings


def cli_session() -> Session:
    """A session on the configured database (migrated to head first)."""
    settings = get_settings()
    upgrade(settings.database_url)
    return make_sessionmaker(make_engine(settings.database_url))()
