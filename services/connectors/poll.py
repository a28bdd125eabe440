"""Status changes made inside a platform, brought to the citizen on their channel.

Every sweep, for each tenant whose grievances a platform holds, the next batch of our open
links (after the connection's cursor, in id order, wrapping round) is read back in one
search; a link whose platform stamp moved is updated, and when the status the citizen sees
changed they are told through `services.grievances.notify`, in their language.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from services.connectors.connections import Settings, all_active
from services.connectors.digit.grievances import DigitRegistry
from services.connectors.digit.workflow import CLOSED, ours
from services.connectors.errors import RemoteError
from services.connectors.models import FILED, Connection, RemoteGrievance
from services.connectors.open311.grievances import Open311Registry
from services.connectors.views import Remote, view_of
from services.grievances.factory import GrievanceRegistries
from services.grievances.notify import notify_status
from services.grievances.registry import GrievanceError, HistoryEntry
from services.security.crypto import Crypto

log = logging.getLogger(__name__)
BATCH = 50


def _batch(db: Session, settings: Settings) -> list[RemoteGrievance]:
    """The next open links of the connection's scope after its cursor (wrapping round)."""
    scope = settings.tenant_id
    query = select(RemoteGrievance).where(
        RemoteGrievance.kind == settings.kind, RemoteGrievance.state == FILED,
        RemoteGrievance.remote_status.not_in(CLOSED),
        (RemoteGrievance.tenant_id == scope) | RemoteGrievance.tenant_id.like(scope + ".%"))
    if settings.cursor:
        rows = db.scalars(query.where(RemoteGrievance.id > settings.cursor)
                          .order_by(RemoteGrievance.id).limit(BATCH)).all()
        if rows:
            return list(rows)
    return list(db.scalars(query.order_by(RemoteGrievance.id).limit(BATCH)))


def _fetch(registry: DigitRegistry | Open311Registry, batch: list[RemoteGrievance],
           ) -> dict[str, Remote]:
    """The batch as the platform has it now, by remote id."""
    ids = [link.remote_id for link in batch if link.remote_id]
    if isinstance(registry, DigitRegistry):
        return {r.id: r for r in registry.remotes({"tenantId": batch[0].tenant_id.split(".")[0]
                                                   if len({b.tenant_id for b in batch}) > 1
                                                   else batch[0].tenant_id,
                                                   "serviceRequestId": ",".join(ids)})}
    found = registry.items({"service_request_id": ",".join(ids)})
    by_id = {link.remote_id: link for link in batch}
    return {str(i["service_request_id"]): registry.remote_of(i, by_id.get(
        str(i["service_request_id"]))) for i in found if i.get("service_request_id")}


def _status_of(link: RemoteGrievance) -> str:
    """Our status for what the link saw last."""
    if link.kind == "digit":
        return ours(link.remote_status or "")
    return "resolved" if (link.remote_status or "") == "closed" else "open"


def poll_connection(db: Session, crypto: Crypto, registries: GrievanceRegistries,
                    settings: Settings) -> list[str]:
    """One batch of one connection; the outbox ids of the notices queued (committed)."""
    batch = _batch(db, settings)
    if not batch:
        return []
    registry = registries.for_tenant(db, crypto, batch[0].tenant_id)
    if not isinstance(registry, DigitRegistry | Open311Registry):
        return []
    db.commit()  # no transaction (nor SQLite's write lock) held while the platform answers
    try:
        now = _fetch(registry, batch)
    except (GrievanceError, RemoteError) as exc:
        log.warning("status poll of %s failed: %s", settings.tenant_id,
                    getattr(exc, "code", type(exc).__name__))
        return []
    queued = []
    for link in batch:
        remote = now.get(link.remote_id or "")
        if remote is None or remote.modified == link.remote_modified:
            continue
        before = _status_of(link)
        link.remote_status, link.remote_modified = remote.remote_status, remote.modified
        if remote.status == before:
            continue
        view = view_of(db, remote)
        view = replace(view, history=(HistoryEntry(remote.updated_at, "platform",
                                                   remote.last_action, before, remote.status,
                                                   remote.last_note),))
        told = notify_status(db, crypto, registry, view)
        if told:
            queued.append(told)
    db.execute(update(Connection).where(Connection.id == settings.id)
               .values(cursor=batch[-1].id))
    db.commit()
    return queued


def poll_all(sessions: sessionmaker[Session], crypto: Crypto,
             registries: GrievanceRegistries) -> list[str]:
    """One batch of every platform holding grievances; the notices queued."""
    queued: list[str] = []
    with sessions() as db:
        connections = [c for c in all_active(db, crypto) if c.domain == "grievances"]
    for settings in connections:
        with sessions() as db:
            queued += poll_connection(db, crypto, registries, settings)
    return queued
