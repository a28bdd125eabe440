"""Amritsar's sanitation department as a city would configure it: staff, rules and a ladder."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy.orm import Session

from services.routing.load import load
from services.routing.rules import parse_json
from services.security.crypto import Crypto
from services.staff.directory import MemberFields, add_department, add_member
from tests.services.grievances.helpers import AMRITSAR

RULES = {
    "rules": [
        {"category": "garbage", "ward": "*", "department": "sanitation",
         "strategy": "least_loaded"},
        {"category": "dead-animal", "ward": "*", "department": "sanitation",
         "strategy": "round_robin"},
    ],
    "escalation": {"sanitation": [{"designation": "JE"},
                                  {"designation": "EE", "after_hours": 0},
                                  {"designation": "Commissioner", "after_hours": 48}]},
}
EE_PHONE = "+919812300009"


@dataclass(frozen=True)
class Team:
    """Member ids: two JEs for ward W01, one for W02, the EE and the Commissioner."""

    je_w01: tuple[str, str]
    je_w02: str
    ee: str
    commissioner: str


def sanitation(db: Session, crypto: Crypto, rules: dict[str, object] | None = None) -> Team:
    """Configure the department, its people and the rules (as the CLI or API would)."""
    add_department(db, tenant_id=AMRITSAR, code="sanitation",
                   names={"en": "Sanitation", "hi": "सफ़ाई"}, actor="test")

    def person(name: str, designation: str, wards: list[str], department: str | None,
               phone: str | None = None, role: str = "officer") -> str:
        spec = MemberFields(name=name, role=role, department=department or "",
                            designation=designation, wards=wards, phone=phone, language="hi")
        return add_member(db, crypto, tenant_id=AMRITSAR, spec=spec, actor="test").id

    first = person("JE Arora", "JE", ["W01"], "sanitation")
    second = person("JE Bains", "JE", ["W01"], "sanitation")
    team = Team(je_w01=(min(first, second), max(first, second)),
                je_w02=person("JE Chahal", "JE", ["W02"], "sanitation"),
                ee=person("EE Dhillon", "EE", [], "sanitation", phone=EE_PHONE),
                commissioner=person("Commissioner Gill", "Commissioner", [], None,
                                    role="admin"))
    load(db, AMRITSAR, parse_json(json.dumps(rules or RULES)), actor="test")
    db.flush()
    return team
