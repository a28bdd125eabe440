"""Who gets a grievance: the matching rule, its department's officers covering the ward, and
one of them by round robin or least load. Also what `routing explain` shows.

A rule matches a category and a ward exactly or by `*`; the most specific one wins: category
and ward, then category with any ward, then any category in the ward, then `* × *`. Officers
are a department's active members with the role officer or admin who cover the ward (a member
without wards covers the whole city), at the ladder's level 0 designation when the department
has a ladder. Least loaded counts each one's grievances not yet resolved or rejected (ties go
to the lowest member id); round robin takes the next member id after the rule's last choice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.grievances.models import Grievance
from services.grievances.registry import CLOSED
from services.routing.models import EscalationStep, RoutingRule
from services.routing.rules import ANY
from services.staff.auth import Role
from services.staff.directory import covers
from services.staff.models import Department, StaffMember

ACTING = (Role.OFFICER.value, Role.ADMIN.value)


@dataclass(frozen=True)
class Candidate:
    """A member who could get the grievance, with their open grievances."""

    member: StaffMember
    load: int


@dataclass(frozen=True)
class Choice:
    """The outcome of routing one category and ward (what `explain` prints)."""

    rule: RoutingRule | None
    department: Department | None
    designation: str | None
    candidates: tuple[Candidate, ...] = field(default=())
    chosen: StaffMember | None = None


def specificity(rule: RoutingRule) -> tuple[bool, bool]:
    """How precisely a rule matches: an exact category counts before an exact ward."""
    return rule.category != ANY, rule.ward != ANY


def match(db: Session, tenant_id: str, category: str, ward: str,
          lock: bool = False) -> RoutingRule | None:
    """The most specific rule for a category and ward, or None (locked when asked, so round
    robin advances once per filing)."""
    q = select(RoutingRule).where(RoutingRule.tenant_id == tenant_id,
                                  RoutingRule.category.in_((category, ANY)),
                                  RoutingRule.ward.in_((ward, ANY)))
    rules = list(db.scalars(q))
    if not rules:
        return None
    best = max(rules, key=specificity)
    if lock:
        db.refresh(best, with_for_update=True)
    return best


def level_designation(db: Session, department_id: str, level: int) -> str | None:
    """The designation at a level of a department's ladder (None without a ladder)."""
    return db.scalar(select(EscalationStep.designation).where(
        EscalationStep.department_id == department_id, EscalationStep.level == level))


def loads(db: Session, member_ids: Sequence[str]) -> dict[str, int]:
    """Each member's grievances that are not yet resolved or rejected."""
    if not member_ids:
        return {}
    rows = db.execute(select(Grievance.assignee_id, func.count())
                      .where(Grievance.assignee_id.in_(member_ids),
                             Grievance.status.not_in(CLOSED))
                      .group_by(Grievance.assignee_id))
    counted = {str(member): int(n) for member, n in rows}
    return {m: counted.get(m, 0) for m in member_ids}


def candidates(db: Session, tenant_id: str, ward: str, *, department_id: str | None,
               designation: str | None) -> tuple[Candidate, ...]:
    """Acting members covering the ward (in the department, at the designation, if given)."""
    q = select(StaffMember).where(StaffMember.active.is_(True),
                                  StaffMember.role.in_(ACTING))
    if department_id is not None:
        q = q.where(StaffMember.department_id == department_id)
    if designation is not None:
        q = q.where(StaffMember.designation == designation)
    found = [m for m in db.scalars(q.order_by(StaffMember.id)) if covers(m, tenant_id, ward)]
    counted = loads(db, [m.id for m in found])
    return tuple(Candidate(m, counted[m.id]) for m in found)


def pick(strategy: str, pool: Sequence[Candidate], last: str | None) -> StaffMember | None:
    """One member of the pool by the rule's strategy."""
    if not pool:
        return None
    if strategy == "round_robin":
        after = [c.member for c in pool if last is not None and c.member.id > last]
        return after[0] if after else pool[0].member
    return min(pool, key=lambda c: (c.load, c.member.id)).member


def route(db: Session, tenant_id: str, category: str, ward: str,
          advance: bool = False) -> Choice:
    """Who a new grievance of this category and ward goes to; with `advance` (filing) the
    rule is locked and its round-robin cursor moves on."""
    rule = match(db, tenant_id, category, ward, lock=advance)
    if rule is None:
        return Choice(None, None, None)
    department = db.get(Department, rule.department_id)
    designation = level_designation(db, rule.department_id, 0)
    pool = candidates(db, tenant_id, ward, department_id=rule.department_id,
                      designation=designation)
    chosen = pick(rule.strategy, pool, rule.last_staff_id)
    if advance and chosen is not None:
        rule.last_staff_id = chosen.id
    return Choice(rule, department, designation, pool, chosen)


def for_level(db: Session, tenant_id: str, ward: str, department_id: str,
              designation: str) -> StaffMember | None:
    """Who holds a ladder level: the least loaded member at that designation in the
    department, else anywhere in the city (a Commissioner belongs to no department)."""
    pool = candidates(db, tenant_id, ward, department_id=department_id,
                      designation=designation)
    if not pool:
        pool = candidates(db, tenant_id, ward, department_id=None, designation=designation)
    return pick("least_loaded", pool, None)
