"""Admin API for routing: the loaded rules and ladders, replacing them, and a dry run."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from services.routing.choose import route
from services.routing.load import export, load
from services.routing.rules import parse_json
from services.validation import Invalid
from services.web.admin import readable, refused, writable
from services.web.deps import DbDep, StaffDep
from services.web.errors import API_RESPONSES

router = APIRouter(prefix="/api/v1/routing", tags=["configuration"], responses=API_RESPONSES)


class RoutingDoc(BaseModel):
    """Rules and ladders in the load format (docs/routing.md); either may be left out."""

    rules: list[dict[str, Any]] | None = None
    escalation: dict[str, list[dict[str, Any]]] | None = None


class Loaded(BaseModel):
    """What a load changed."""

    added: int
    changed: int
    removed: int
    ladders: int


class CandidateOut(BaseModel):
    """An officer who could get the grievance, with their open grievances."""

    id: str
    name: str
    designation: str
    open: int


class Explained(BaseModel):
    """Which rule matched and who would get a new grievance (nothing changes)."""

    rule: dict[str, str] | None
    department: str | None
    designation: str | None
    candidates: list[CandidateOut]
    chosen: CandidateOut | None


@router.get("/{tenant}")
def show(tenant: str, db: DbDep, staff: StaffDep) -> RoutingDoc:
    """The loaded rules and ladders."""
    readable(db, staff, tenant)
    return RoutingDoc(**export(db, tenant))


@router.put("/{tenant}")
def replace(tenant: str, body: RoutingDoc, db: DbDep, staff: StaffDep) -> Loaded:
    """Replace the rules and/or ladders given; 422 `invalid_rules` names every bad row and
    nothing changes (admins)."""
    writable(db, staff, tenant)
    try:
        wanted = parse_json(json.dumps(body.model_dump(exclude_none=True)))
        counts = load(db, tenant, wanted, actor=staff.actor)
    except Invalid as exc:
        db.rollback()
        raise refused(exc) from None
    db.commit()
    return Loaded(**counts)


@router.get("/{tenant}/explain")
def explain(tenant: str, db: DbDep, staff: StaffDep,
            category: Annotated[str, Query(max_length=64)],
            ward: Annotated[str, Query(max_length=32)]) -> Explained:
    """The dry run of `nagarsetu routing explain`."""
    readable(db, staff, tenant)
    choice = route(db, tenant, category, ward)

    def out(member: Any, load: int) -> CandidateOut:
        return CandidateOut(id=member.id, name=member.name, designation=member.designation,
                            open=load)

    loads = {c.member.id: c.load for c in choice.candidates}
    return Explained(
        rule={"category": choice.rule.category, "ward": choice.rule.ward,
              "strategy": choice.rule.strategy} if choice.rule else None,
        department=choice.department.code if choice.department else None,
        designation=choice.designation,
        candidates=[out(c.member, c.load) for c in choice.candidates],
        chosen=out(choice.chosen, loads[choice.chosen.id]) if choice.chosen else None)
