"""Putting a validated rule set in place, showing what is loaded, and auditing each change.

A load replaces the tenant's rules (and/or ladders) as a whole in the caller's transaction:
a rule kept from the last load keeps its round-robin cursor; added, changed and removed rules
and changed ladders are each recorded in the change log.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.audit.record import record
from services.routing.models import EscalationStep, RoutingRule
from services.routing.rules import Ladder, Rule, RuleSet, validate
from services.staff.models import Department


def _departments(db: Session, tenant_id: str) -> dict[str, Department]:
    """The tenant's departments by code."""
    return {d.code: d for d in db.scalars(select(Department)
                                          .where(Department.tenant_id == tenant_id))}


def _rule_key(category: str, ward: str) -> str:
    """How a rule is named in the change log."""
    return f"{category}/{ward}"


def load(db: Session, tenant_id: str, rules: RuleSet, *, actor: str) -> dict[str, int]:
    """Validate and apply; counts of rules added, changed, removed and ladders changed."""
    validate(db, tenant_id, rules)
    depts = _departments(db, tenant_id)
    counts = {"added": 0, "changed": 0, "removed": 0, "ladders": 0}
    if rules.rules is not None:
        _replace_rules(db, tenant_id, rules.rules, depts, actor, counts)
    if rules.ladders is not None:
        _replace_ladders(db, tenant_id, rules.ladders, depts, actor, counts)
    db.flush()
    return counts


def _replace_rules(db: Session, tenant_id: str, wanted: tuple[Rule, ...],
                   depts: dict[str, Department], actor: str, counts: dict[str, int]) -> None:
    """Make the tenant's rules exactly `wanted`."""
    by_id = {d.id: d.code for d in depts.values()}
    current = {(r.category, r.ward): r for r in db.scalars(
        select(RoutingRule).where(RoutingRule.tenant_id == tenant_id))}
    for rule in wanted:
        key = (rule.category, rule.ward)
        after = {"department": rule.department, "strategy": rule.strategy}
        row = current.pop(key, None)
        if row is None:
            db.add(RoutingRule(tenant_id=tenant_id, category=rule.category, ward=rule.ward,
                               department_id=depts[rule.department].id,
                               strategy=rule.strategy))
            record(db, tenant_id=tenant_id, actor=actor, entity="routing_rule",
                   key=_rule_key(*key), action="create", after=after)
            counts["added"] += 1
            continue
        before = {"department": by_id.get(row.department_id), "strategy": row.strategy}
        if before != after:
            row.department_id, row.strategy = depts[rule.department].id, rule.strategy
            record(db, tenant_id=tenant_id, actor=actor, entity="routing_rule",
                   key=_rule_key(*key), action="update", before=before, after=after)
            counts["changed"] += 1
    for key, row in current.items():
        record(db, tenant_id=tenant_id, actor=actor, entity="routing_rule",
               key=_rule_key(*key), action="delete",
               before={"department": by_id.get(row.department_id), "strategy": row.strategy})
        db.delete(row)
        counts["removed"] += 1


def _levels(db: Session, department_id: str) -> list[dict[str, Any]]:
    """A department's loaded ladder as plain data."""
    return [{"designation": s.designation, "after_hours": s.after_hours}
            for s in db.scalars(select(EscalationStep)
                                .where(EscalationStep.department_id == department_id)
                                .order_by(EscalationStep.level))]


def _replace_ladders(db: Session, tenant_id: str, wanted: tuple[Ladder, ...],
                     depts: dict[str, Department], actor: str, counts: dict[str, int]) -> None:
    """Make the tenant's ladders exactly `wanted` (departments not named lose theirs)."""
    named = {ladder.department: ladder for ladder in wanted}
    for code, dept in depts.items():
        before = _levels(db, dept.id)
        ladder = named.get(code)
        after = [{"designation": lv.designation, "after_hours": lv.after_hours}
                 for lv in ladder.levels] if ladder else []
        if before == after:
            continue
        for step in db.scalars(select(EscalationStep)
                               .where(EscalationStep.department_id == dept.id)):
            db.delete(step)
        db.flush()
        for n, level in enumerate(after):
            db.add(EscalationStep(tenant_id=tenant_id, department_id=dept.id, level=n,
                                  designation=level["designation"],
                                  after_hours=level["after_hours"]))
        record(db, tenant_id=tenant_id, actor=actor, entity="escalation", key=code,
               action="update" if before and after else "create" if after else "delete",
               before={"levels": before} if before else None,
               after={"levels": after} if after else None)
        counts["ladders"] += 1


def export(db: Session, tenant_id: str) -> dict[str, Any]:
    """What is loaded, in the JSON load format (loading it again changes nothing)."""
    depts = _departments(db, tenant_id)
    by_id = {d.id: d.code for d in depts.values()}
    rules = [{"category": r.category, "ward": r.ward, "department": by_id.get(r.department_id),
              "strategy": r.strategy}
             for r in db.scalars(select(RoutingRule).where(RoutingRule.tenant_id == tenant_id)
                                 .order_by(RoutingRule.category, RoutingRule.ward))]
    ladders = {code: levels for code, dept in sorted(depts.items())
               if (levels := _levels(db, dept.id))}
    return {"rules": rules, "escalation": ladders}
