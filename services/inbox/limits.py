"""Inbound limits: a sender (or a city) flooding the gateway gets no paid replies past them.

SMS pumping and OWASP API4: every inbound message may cost a reply. Past the per-sender and
per-tenant limits an event is kept in the inbox as `limited` (nothing is lost) but runs no
turn, creates no contact and sends nothing. In a limiter outage events go through.
"""

from __future__ import annotations

import logging

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from channels.contract import RateLimit
from services.db.base import utcnow
from services.inbox.models import InboxEvent
from services.ratelimit import RateLimiter
from services.settings import Settings

log = logging.getLogger(__name__)


def over_limit(limiter: RateLimiter, settings: Settings, row: InboxEvent) -> str | None:
    """The limit an event breaks (`sender_rate_limited`, `tenant_rate_limited`), or None."""
    sender = RateLimit(settings.inbound_per_sender_per_minute, 60.0)
    if limiter.acquire(f"in:{row.conversation}", sender, fail_open=True) > 0:
        return "sender_rate_limited"
    tenant = RateLimit(settings.inbound_per_tenant_per_second, 1.0)
    if limiter.acquire(f"in:{row.tenant_id}", tenant, fail_open=True) > 0:
        return "tenant_rate_limited"
    return None


def mark_limited(sessions: sessionmaker[Session], row: InboxEvent, code: str) -> None:
    """Keep the event, handled without a turn, with the limit it broke."""
    with sessions() as db:
        db.execute(update(InboxEvent)
                   .where(InboxEvent.id == row.id, InboxEvent.status == "pending")
                   .values(status="limited", error_code=code, done_at=utcnow()))
        db.commit()
    log.warning("inbox %s not answered: %s", row.id, code)
