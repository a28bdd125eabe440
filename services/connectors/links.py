"""Our record of each grievance a platform holds: who filed it, on which account, under
which idempotency key, and what the status poll saw last.

A link is written before the platform is called, in the turn's transaction, so a filing that
fails midway is still known (and retried under the same key, never filed twice).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.connectors.models import FILED, PENDING, RemoteGrievance
from services.connectors.retry import next_attempt
from services.connectors.views import Remote
from services.db.base import utcnow
from services.security.crypto import Crypto


def new_link(db: Session, crypto: Crypto, *, tenant_id: str, kind: str,
             contact_id: str | None, account_id: str | None,
             payload: Mapping[str, Any]) -> RemoteGrievance:
    """A pending link with a fresh idempotency key and what to file (encrypted)."""
    link = RemoteGrievance(tenant_id=tenant_id, kind=kind, idempotency_key=uuid.uuid4().hex,
                           contact_id=contact_id, account_id=account_id, state=PENDING,
                           payload_enc=crypto.encrypt_json(dict(payload)), attempts=0,
                           next_attempt_at=utcnow(), first_attempt_at=utcnow())
    db.add(link)
    db.flush()
    return link


def mark_filed(link: RemoteGrievance, remote: Remote, keep_payload: bool = False) -> None:
    """The platform holds it now: its id and status kept, the payload dropped (kept where
    the platform cannot give back what we need to show it, e.g. Open311's locality)."""
    link.remote_id = remote.id
    link.state = FILED
    link.remote_status = remote.remote_status
    link.remote_modified = remote.modified
    if not keep_payload:
        link.payload_enc = None


def postpone(link: RemoteGrievance) -> None:
    """One more failed try: the sweeper tries again after a jittered backoff."""
    link.attempts = (link.attempts or 0) + 1
    link.next_attempt_at = next_attempt(utcnow(), link.attempts)


def by_remote(db: Session, remote_id: str, kind: str | None = None) -> RemoteGrievance | None:
    """The link of a platform's grievance id (any tenant: ids are the platform's)."""
    query = select(RemoteGrievance).where(RemoteGrievance.remote_id == remote_id.strip())
    if kind:
        query = query.where(RemoteGrievance.kind == kind)
    return db.scalars(query.limit(1)).first()


def of_contact(db: Session, tenant_id: str, contact_id: str, kind: str,
               limit: int) -> Sequence[RemoteGrievance]:
    """A citizen's filed grievances on a platform, newest first."""
    return db.scalars(select(RemoteGrievance).where(
        RemoteGrievance.tenant_id == tenant_id, RemoteGrievance.contact_id == contact_id,
        RemoteGrievance.kind == kind, RemoteGrievance.state == FILED)
        .order_by(RemoteGrievance.created_at.desc(), RemoteGrievance.id.desc())
        .limit(limit)).all()


def origin(link: RemoteGrievance | None) -> dict[str, Any] | None:
    """`contact_of`'s answer for a link: where to notify the citizen."""
    if link is None or not link.contact_id or not link.account_id:
        return None
    return {"contact_id": link.contact_id, "account_id": link.account_id}
