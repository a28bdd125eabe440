"""The escalation sweep: grievances past their SLA move up their department's ladder.

Run by Celery beat in production (`nagarsetu.escalate`) and by the embedded dispatcher's
sweeper thread. A grievance still open (not resolved or rejected) whose department has a
ladder reaches level n once `now >= due_at + after_hours(n)`; one sweep takes it straight to
the highest level reached (one `escalate` entry in its history), hands it to the least loaded
member at that level's designation, tells that member (services.routing.notices) and tells
the citizen in their language. The level is moved by a conditional UPDATE on the level read,
so a second sweep, or two sweeps at once, escalate once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from bots.prompts import Msg
from services.db.base import aware, utcnow
from services.grievances.builtin import next_instant
from services.grievances.models import Grievance, GrievanceEvent
from services.grievances.notify import notify_citizen
from services.grievances.registry import CLOSED
from services.messaging.lanes import Lane
from services.routing.choose import for_level
from services.routing.models import EscalationStep
from services.routing.notices import escalated_message, notify_staff
from services.security.crypto import Crypto
from services.tasks.dispatch import Dispatcher
from services.tenancy.models import Ward

log = logging.getLogger(__name__)
ACTOR = "system:escalation"
BATCH = 500


@dataclass(frozen=True)
class Escalation:
    """One grievance moved up: to which level and member, and the notices queued."""

    public_id: str
    level: int
    designation: str
    staff_id: str | None
    outbox_ids: tuple[str, ...]


def overdue(db: Session, now: datetime, limit: int = BATCH) -> list[str]:
    """Ids of open grievances past due whose department's ladder has a level above theirs."""
    top = (select(func.max(EscalationStep.level))
           .where(EscalationStep.department_id == Grievance.department_id)
           .scalar_subquery())
    q = (select(Grievance.id).where(Grievance.status.not_in(CLOSED),
                                    Grievance.department_id.is_not(None),
                                    Grievance.due_at <= now,
                                    Grievance.escalation_level < top)
         .order_by(Grievance.due_at, Grievance.id).limit(limit))
    return list(db.scalars(q))


def target_level(steps: list[EscalationStep], due_at: datetime, now: datetime) -> int:
    """The highest level whose hours past the due date have passed (0 when none)."""
    reached = [s.level for s in steps
               if s.level > 0 and now >= aware(due_at) + timedelta(hours=s.after_hours)]
    return max(reached, default=0)


def escalate_one(db: Session, crypto: Crypto, grievance_id: str,
                 now: datetime) -> Escalation | None:
    """Escalate one grievance if it is due (in the caller's transaction); None otherwise."""
    g = db.get(Grievance, grievance_id)
    if g is None or g.status in CLOSED or g.department_id is None:
        return None
    steps = list(db.scalars(select(EscalationStep)
                            .where(EscalationStep.department_id == g.department_id)
                            .order_by(EscalationStep.level)))
    level, current = target_level(steps, g.due_at, now), g.escalation_level
    if level <= current:
        return None
    moved = db.execute(update(Grievance)
                       .where(Grievance.id == g.id, Grievance.escalation_level == current)
                       .values(escalation_level=level, escalated_at=now)
                       .execution_options(synchronize_session=False))
    if getattr(moved, "rowcount", 0) != 1:
        return None  # another sweep got there first
    db.refresh(g)
    step = steps[level]
    ward = db.get_one(Ward, g.ward_id)
    member = for_level(db, g.tenant_id, ward.code, g.department_id, step.designation)
    before, holder = g.status, g.assignee_id
    if member is not None:
        g.assignee_id, g.assignee = member.id, member.name
        if g.status == "open":
            g.status = "assigned"
    else:
        log.warning("%s escalated to level %d but nobody is %s for ward %s", g.public_id, level,
                    step.designation, ward.code)
    at = next_instant(db, g.id, now)
    db.add(GrievanceEvent(tenant_id=g.tenant_id, grievance_id=g.id, at=at, actor=ACTOR,
                          action="escalate", from_status=before, to_status=g.status))
    g.updated_at = at
    outbox: list[str] = []
    if member is not None and member.id != holder:  # one notice per change of holder
        notice = notify_staff(db, crypto, member=member, g=g, kind="escalated", level=level,
                              message=escalated_message(db, g))
        # an e-mail notice's id names an e-mail (sent by the mail sweep), not an outbox row
        outbox += [notice.outbox_id] if notice.channel == "sms" and notice.outbox_id else []
    if g.contact_id and g.account_id:
        citizen = notify_citizen(db, crypto, tenant_id=g.tenant_id, contact_id=g.contact_id,
                                 account_id=g.account_id,
                                 parts=[Msg("notify.escalated", {"id": g.public_id})])
        outbox += [citizen] if citizen else []
    db.flush()
    return Escalation(g.public_id, level, step.designation, member.id if member else None,
                      tuple(outbox))


def run_escalations(sessions: sessionmaker[Session], crypto: Crypto,
                    dispatcher: Dispatcher | None = None,
                    clock: Callable[[], datetime] = utcnow,
                    limit: int = BATCH) -> list[Escalation]:
    """One sweep: each due grievance in its own short transaction, notices handed on after
    each commit (the outbox sweeper delivers them too if the hand-over is lost)."""
    now = clock()
    with sessions() as db:
        ids = overdue(db, now, limit)
    done = []
    for grievance_id in ids:
        with sessions() as db:
            result = escalate_one(db, crypto, grievance_id, now)
            db.commit()
        if result is None:
            continue
        done.append(result)
        if dispatcher is not None and result.outbox_ids:
            dispatcher.enqueue(result.outbox_ids, Lane.NOTICE)
    return done
