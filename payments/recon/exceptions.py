"""The exception queues: listing, and resolving one with a note (audited, evidence kept).

Resolving changes only the exception's status and records who, when and why, in the same
transaction as the audit entry (`services.audit.record`); the bill, attempt, settlement and
bank rows it points at are never touched, and the exception row itself is never deleted.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from payments.recon.models import ReconException
from services.audit.record import record
from services.db.base import utcnow
from services.tenancy.service import in_scope

STATUSES = ("open", "resolved", "cleared")
MAX_NOTE = 2000


class ExceptionError(ValueError):
    """A resolution refused (`not_found`, `not_open`, `note_required`)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def listing(db: Session, tenant_id: str, *, status: str | None = "open",
            kind: str | None = None, limit: int = 1000) -> list[ReconException]:
    """A tenant's exceptions, oldest first (status None: all)."""
    query = select(ReconException).where(ReconException.tenant_id == tenant_id)
    if status:
        query = query.where(ReconException.status == status)
    if kind:
        query = query.where(ReconException.kind == kind)
    return list(db.scalars(query.order_by(ReconException.detected_at, ReconException.kind,
                                          ReconException.ref_key).limit(limit)))


def resolve(db: Session, *, exception_id: str, scope: str, actor: str,
            note: str) -> ReconException:
    """Resolve an open exception within the actor's scope with a note, audited."""
    note = note.strip()
    if not note:
        raise ExceptionError("note_required")
    row = db.get(ReconException, exception_id[:32], with_for_update=True)
    if row is None or not in_scope(row.tenant_id, scope):
        raise ExceptionError("not_found")  # another city's exception is not shown either
    if row.status == "resolved":
        raise ExceptionError("not_open")
    before = {"status": row.status}
    row.status, row.note = "resolved", note[:MAX_NOTE]
    row.resolved_at, row.resolved_by = utcnow(), actor[:100]
    record(db, tenant_id=row.tenant_id, actor=actor, entity="recon_exception", key=row.id,
           action="resolve", before=before,
           after={"status": "resolved", "kind": row.kind, "ref": row.ref_key,
                  "note": row.note})
    db.flush()
    return row
