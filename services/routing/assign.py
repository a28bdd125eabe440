"""Assigning a grievance: by the rules when it is filed, or to a member staff name.

Filing never fails because of routing: no matching rule, no officer to choose, or a database
error inside routing (rolled back to a savepoint) leaves the grievance unassigned and logged.
The officer chosen is told (services.routing.notices), in the same transaction, as an
escalation's new holder is; so is a member a staff key assigns, when the holder changes.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from services.grievances.models import Grievance, GrievanceEvent
from services.routing.choose import ACTING, route
from services.routing.notices import assigned_message, notify_staff
from services.security.crypto import Crypto
from services.staff.directory import covers
from services.staff.models import StaffMember

log = logging.getLogger(__name__)


def hand_to(db: Session, crypto: Crypto, g: Grievance, member: StaffMember) -> bool:
    """Make a member the holder (the name is kept for display and older readers) and tell
    them, once: handing it to whoever holds it already changes nothing and sends nothing."""
    changed = g.assignee_id != member.id
    g.assignee_id, g.assignee = member.id, member.name
    if member.department_id:
        g.department_id = member.department_id
    if changed:
        db.flush()
        notify_staff(db, crypto, member=member, g=g, kind="assigned",
                     level=g.escalation_level or 0, message=assigned_message(db, g))
    return changed


def assignable(member: StaffMember | None, tenant_id: str, ward: str) -> str | None:
    """Why a member cannot hold a grievance of this tenant and ward (None: they can)."""
    if member is None or not member.active or member.role not in ACTING:
        return "invalid_assignee"
    if not covers(member, tenant_id, ward):
        return "assignee_out_of_scope"
    return None


def on_filing(db: Session, crypto: Crypto, g: Grievance, category: str, ward: str,
              at: datetime) -> None:
    """Route a just-filed grievance (flushed, with its `file` entry) to an officer."""
    try:
        with db.begin_nested():
            choice = route(db, g.tenant_id, category, ward, advance=True)
            if choice.rule is None:
                log.info("%s: no routing rule for %s in ward %s; left unassigned", g.public_id,
                         category, ward)
                return
            g.department_id = choice.rule.department_id
            if choice.chosen is None:
                log.warning("%s: rule %s/%s found no officer for ward %s; left unassigned",
                            g.public_id, choice.rule.category, choice.rule.ward, ward)
                return
            db.add(GrievanceEvent(tenant_id=g.tenant_id, grievance_id=g.id, at=at,
                                  actor=f"routing:{choice.rule.category}/{choice.rule.ward}",
                                  action="assign", from_status=g.status, to_status="assigned"))
            g.status = "assigned"
            hand_to(db, crypto, g, choice.chosen)
            db.flush()
    except SQLAlchemyError as exc:
        log.error("%s: routing failed (%s); left unassigned", g.public_id, type(exc).__name__)
