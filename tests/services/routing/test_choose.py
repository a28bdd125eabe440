"""Routing picks the right officer: the most specific rule, the ward's officers at level 0,
then the least loaded or the next in turn."""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from services.grievances.builtin import BuiltinRegistry
from services.grievances.models import Grievance
from services.routing.choose import match, route
from services.routing.load import load
from services.routing.rules import parse_json
from services.security.crypto import Crypto
from services.staff.directory import add_department
from tests.services.grievances.helpers import AMRITSAR, file
from tests.services.routing.city import sanitation


def _holder(db: Session, public_id: str) -> str | None:
    """Who a grievance is assigned to."""
    row = db.query(Grievance).filter_by(public_id=public_id).one()
    return row.assignee_id


def test_least_loaded_goes_to_the_officer_with_fewer_open(
        db: Session, crypto: Crypto, registry: BuiltinRegistry) -> None:
    team = sanitation(db, crypto)
    low, high = team.je_w01
    first = file(db, crypto, category="garbage", locality="hall-bazaar")  # W01
    assert _holder(db, first.id) == low  # a tie goes to the lower id
    second = file(db, crypto, category="garbage", locality="hall-bazaar")
    assert _holder(db, second.id) == high
    third = file(db, crypto, category="garbage", locality="hall-bazaar")
    assert _holder(db, third.id) == low  # 1 each: the tie again
    registry.transition(scope=AMRITSAR, public_id=first.id, action="resolve", actor="t",
                        note="lifted")
    registry.transition(scope=AMRITSAR, public_id=third.id, action="reject", actor="t",
                        note="duplicate")
    fourth = file(db, crypto, category="garbage", locality="hall-bazaar")
    assert _holder(db, fourth.id) == low  # low has none open now, high has one
    fifth = file(db, crypto, category="garbage", locality="hall-bazaar")
    assert _holder(db, fifth.id) == low  # 1 and 1: the tie goes low again


def test_round_robin_takes_turns_within_the_ward(db: Session, crypto: Crypto) -> None:
    team = sanitation(db, crypto)
    picked = [_holder(db, file(db, crypto, category="dead-animal", locality="hall-bazaar").id)
              for _ in range(5)]
    low, high = team.je_w01
    assert picked == [low, high, low, high, low]
    elsewhere = file(db, crypto, category="dead-animal", locality="ranjit-avenue")  # W02
    assert _holder(db, elsewhere.id) == team.je_w02


def test_only_officers_at_level_zero_covering_the_ward(db: Session, crypto: Crypto) -> None:
    team = sanitation(db, crypto)
    choice = route(db, AMRITSAR, "garbage", "W02")
    assert [c.member.id for c in choice.candidates] == [team.je_w02]  # not the EE
    assert choice.designation == "JE"
    nobody = route(db, AMRITSAR, "garbage", "W03")
    assert nobody.rule is not None and nobody.candidates == () and nobody.chosen is None


def test_the_most_specific_rule_wins(db: Session, crypto: Crypto) -> None:
    for code in ("d-any", "d-cat", "d-ward", "d-both"):
        add_department(db, tenant_id=AMRITSAR, code=code, names={"en": code}, actor="t")
    rules = {"rules": [
        {"category": "*", "ward": "*", "department": "d-any"},
        {"category": "garbage", "ward": "*", "department": "d-cat"},
        {"category": "*", "ward": "W01", "department": "d-ward"},
        {"category": "garbage", "ward": "W01", "department": "d-both"},
    ]}
    load(db, AMRITSAR, parse_json(json.dumps(rules)), actor="t")
    codes = {"d-any", "d-cat", "d-ward", "d-both"}

    def department(category: str, ward: str) -> str:
        rule = match(db, AMRITSAR, category, ward)
        assert rule is not None
        found = route(db, AMRITSAR, category, ward).department
        assert found is not None and found.code in codes
        return found.code

    assert department("garbage", "W01") == "d-both"
    assert department("garbage", "W02") == "d-cat"
    assert department("water", "W01") == "d-ward"
    assert department("water", "W02") == "d-any"


def test_no_rule_leaves_the_grievance_unassigned(db: Session, crypto: Crypto) -> None:
    sanitation(db, crypto)
    view = file(db, crypto, category="water", locality="hall-bazaar")
    assert view.status == "open" and view.assignee_id is None
    assert [h.action for h in view.history] == ["file"]


def test_filing_records_the_routing_in_the_history(db: Session, crypto: Crypto) -> None:
    team = sanitation(db, crypto)
    view = file(db, crypto, category="garbage", locality="ranjit-avenue")
    assert (view.status, view.assignee_id, view.assignee) == ("assigned", team.je_w02,
                                                              "JE Chahal")
    assert [(h.action, h.actor) for h in view.history] == [
        ("file", "test"), ("assign", "routing:garbage/*")]
    assert view.history[1].at > view.history[0].at
