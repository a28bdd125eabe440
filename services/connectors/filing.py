"""Grievances the platform could not take during the turn, filed by the sweeper.

Each pending link is claimed by a conditional UPDATE, submitted under its own idempotency
key (the platform is searched for it first, so a try that got through before is found, not
repeated) and the citizen is sent the number once it is filed. DIGIT filings made here run
as the connector's system user on the citizen's behalf when their own login has expired.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bots.prompts import Msg
from services.connectors.digit.auth import as_system, citizen_auth
from services.connectors.digit.grievances import DigitRegistry
from services.connectors.errors import RemoteError, Unavailable
from services.connectors.links import postpone
from services.connectors.models import FAILED, PENDING, RemoteGrievance
from services.connectors.open311.grievances import Open311Registry
from services.db.base import utcnow
from services.grievances.factory import GrievanceRegistries
from services.grievances.notify import notify_citizen
from services.security.crypto import Crypto

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 48
"""About a day of tries at the ten-minute cap; then the link is `failed` (logged)."""
CLAIM = timedelta(minutes=2)


def due(sessions: sessionmaker[Session], limit: int = 50) -> list[str]:
    """Pending links whose next try is due, oldest first."""
    with sessions() as db:
        return list(db.scalars(select(RemoteGrievance.id).where(
            RemoteGrievance.state == PENDING, RemoteGrievance.next_attempt_at <= utcnow())
            .order_by(RemoteGrievance.next_attempt_at).limit(limit)))


def _claim(db: Session, link_id: str) -> RemoteGrievance | None:
    """Take a due link for this worker for a while (another worker skips it)."""
    now = utcnow()
    won = db.execute(update(RemoteGrievance).where(
        RemoteGrievance.id == link_id, RemoteGrievance.state == PENDING,
        RemoteGrievance.next_attempt_at <= now)
        .values(next_attempt_at=now + CLAIM).execution_options(synchronize_session=False))
    db.commit()
    return db.get(RemoteGrievance, link_id) if getattr(won, "rowcount", 0) else None


def file_one(sessions: sessionmaker[Session], crypto: Crypto, registries: GrievanceRegistries,
             link_id: str) -> tuple[str, str | None]:
    """Try one pending link: (`filed` | `retry` | `failed` | `skipped`, the notice's outbox
    id when the citizen was told their number)."""
    with sessions() as db:
        link = _claim(db, link_id)
        if link is None:
            return "skipped", None
        registry = registries.for_tenant(db, crypto, link.tenant_id)
        auth = (citizen_auth(db, crypto, link.tenant_id, link.contact_id)
                if link.contact_id and isinstance(registry, DigitRegistry) else None)
        db.commit()  # no transaction (nor SQLite's write lock) held while the platform answers
        try:
            if isinstance(registry, DigitRegistry):
                digit = registry
                remote = (digit.submit(link, auth) if auth is not None else
                          as_system(digit.client, lambda system: digit.submit(link, system)))
            elif isinstance(registry, Open311Registry):
                remote = registry.submit(link)
            else:  # the tenant left its platform: nothing to file it in
                link.state = FAILED
                db.commit()
                return "failed", None
        except Unavailable:
            postpone(link)
            outcome = "retry"
            if link.attempts >= MAX_ATTEMPTS:
                link.state, outcome = FAILED, "failed"
                log.error("gave up filing link %s after %d tries", link.id, link.attempts)
            db.commit()
            return outcome, None
        except RemoteError as exc:
            link.state = FAILED
            log.error("platform refused pending link %s: %s", link.id, exc.code)
            db.commit()
            return "failed", None
        told = None
        if link.contact_id and link.account_id:
            told = notify_citizen(db, crypto, tenant_id=link.tenant_id,
                                  contact_id=link.contact_id, account_id=link.account_id,
                                  parts=[Msg("grievance.filed_later", {"id": remote.id})])
        db.commit()
        return "filed", told


def file_due(sessions: sessionmaker[Session], crypto: Crypto,
             registries: GrievanceRegistries, ids: Iterable[str] | None = None) -> list[str]:
    """Try every due link; the outbox ids of the notices queued."""
    queued = []
    for link_id in ids if ids is not None else due(sessions):
        _, told = file_one(sessions, crypto, registries, link_id)
        if told:
            queued.append(told)
    return queued
