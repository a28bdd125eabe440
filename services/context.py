"""The application context: settings and the long-lived objects built from them, injected."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import redis
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bots.engine import Engine as BotEngine
from bots.flows import default_engine
from services.conversation.sessions import MemorySessionStore, RedisSessionStore, SessionStore
from services.db.engine import make_engine, make_sessionmaker
from services.grievances.factory import GrievanceRegistries
from services.grievances.registry import GrievanceRegistry
from services.messaging.delivery import DeliveryConfig, DueRow, Outcome, deliver, due
from services.ratelimit import RateLimiter, Unlimited
from services.security.crypto import Crypto
from services.settings import Settings
from services.tasks.dispatch import Dispatcher, InlineDispatcher
from services.tenancy.service import MasterDataCache


@dataclass
class AppContext:
    """Everything a request or task needs; one per process."""

    settings: Settings
    db_engine: Engine
    sessions: sessionmaker[Session]
    crypto: Crypto
    store: SessionStore
    bot: BotEngine
    master: MasterDataCache = field(default_factory=MasterDataCache)
    registries: GrievanceRegistries = field(default_factory=GrievanceRegistries)
    limiter: RateLimiter = field(default_factory=Unlimited)
    """Global sending limits (Redis in production, in-process embedded)."""
    dispatcher: Dispatcher = field(init=False)

    def grievances(self, db: Session, tenant_id: str) -> GrievanceRegistry:
        """The grievance registry serving this tenant (or scope), on this database session."""
        return self.registries.for_tenant(db, self.crypto, tenant_id)

    @property
    def delivery(self) -> DeliveryConfig:
        """Delivery limits from settings."""
        return DeliveryConfig(self.settings.base_url, self.settings.outbox_max_attempts,
                              self.settings.outbox_inflight_seconds)

    def deliver(self, outbox_id: str) -> Outcome:
        """Attempt one outbox row, within the global sending limits."""
        return deliver(self.sessions, self.crypto, self.delivery, outbox_id, limiter=self.limiter)

    def due(self) -> Sequence[DueRow]:
        """Outbox rows due now, by lane priority, each as (outbox id, lane)."""
        return due(self.sessions, self.settings.outbox_inflight_seconds)


def build_context(settings: Settings, *, redis_client: Any | None = None) -> AppContext:
    """Build the context; sessions go to Redis when configured, else to memory."""
    engine = make_engine(settings.database_url)
    store: SessionStore
    if settings.redis_url:
        client = redis_client or redis.Redis.from_url(settings.redis_url)
        store = RedisSessionStore(client, settings.session_ttl_seconds)
    else:
        store = MemorySessionStore(settings.session_ttl_seconds)
    ctx = AppContext(settings=settings, db_engine=engine, sessions=make_sessionmaker(engine),
                     crypto=Crypto(settings.secret_key.get_secret_value()), store=store,
                     bot=default_engine())
    ctx.dispatcher = InlineDispatcher(ctx.deliver)
    return ctx
