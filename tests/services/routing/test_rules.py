"""Rules are data: JSON or CSV, validated on load with errors that name the row."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.audit.models import ConfigChange
from services.routing.load import export, load
from services.routing.models import RoutingRule
from services.routing.rules import RuleSet, parse_json, parse_ladders_csv, parse_rules_csv
from services.security.crypto import Crypto
from services.validation import Invalid
from tests.services.grievances.helpers import AMRITSAR
from tests.services.routing.city import RULES, sanitation


def _refused(db: Session, rules: RuleSet) -> Invalid:
    """The refusal of a load (nothing applied)."""
    with pytest.raises(Invalid) as caught:
        load(db, AMRITSAR, rules, actor="test")
    return caught.value


def test_references_are_checked_row_by_row(db: Session, crypto: Crypto) -> None:
    sanitation(db, crypto)
    before = export(db, AMRITSAR)
    bad = {"rules": [
        {"category": "garbage", "ward": "W01", "department": "sanitation"},
        {"category": "garbag", "ward": "W99", "department": "sanitation"},
        {"category": "*", "ward": "*", "department": "parks"},
        {"category": "garbage", "ward": "W01", "department": "sanitation",
         "strategy": "least_loaded"},
    ]}
    exc = _refused(db, parse_json(json.dumps(bad)))
    assert exc.code == "invalid_rules"
    assert exc.lines() == [
        "rules row 2: no category 'garbag' in pb.amritsar",
        "rules row 2: no ward 'W99' in pb.amritsar",
        "rules row 3: no active department 'parks' in pb.amritsar",
        "rules row 4: garbage × W01 is already routed by rules row 1",
    ]
    assert exc.fields()[1] == {"loc": ["rules", "row", "2", "ward"], "type": "unknown_ward"}
    assert export(db, AMRITSAR) == before  # refused as a whole: nothing applied


def test_shape_errors_name_the_row() -> None:
    with pytest.raises(Invalid) as caught:
        parse_json(json.dumps({"rules": [
            {"category": "garbage", "ward": "*"},
            {"category": "garbage", "ward": "*", "department": "s", "strategy": "random"},
            "garbage",
        ]}))
    assert caught.value.lines() == [
        "rules row 1: department is missing",
        "rules row 2: strategy 'random' is not one of least_loaded, round_robin",
        "rules row 3: not an object",
    ]
    for text, line in (("{", "not JSON (line 1)"),
                       ("[]", "expected an object with rules and/or escalation")):
        with pytest.raises(Invalid) as caught:
            parse_json(text)
        assert caught.value.lines() == [line]


def test_csv_rows_are_numbered_as_a_spreadsheet_shows_them() -> None:
    rules = parse_rules_csv("category,ward,department,strategy\n"
                            "garbage,*,sanitation,round_robin\n"
                            "water,W02,water-works,\n")
    assert [(r.category, r.ward, r.department, r.strategy) for r in rules] == [
        ("garbage", "*", "sanitation", "round_robin"), ("water", "W02", "water-works",
                                                        "least_loaded")]
    with pytest.raises(Invalid) as caught:
        parse_rules_csv("category,ward,department\ngarbage,*,sanitation\n,W01,roads\n")
    assert caught.value.lines() == ["rules row 3: category is missing"]
    with pytest.raises(Invalid) as caught:
        parse_rules_csv("category,department\ngarbage,sanitation\n")
    assert caught.value.lines() == ["rules row 1: the header lacks ward"]
    with pytest.raises(Invalid) as caught:
        parse_ladders_csv("department,level,designation,after_hours\n"
                          "sanitation,0,JE,\nsanitation,1,EE,abc\nsanitation,x,AE,2\n")
    assert caught.value.lines() == [
        "escalation row 3: after_hours must be 0 to 8784",
        "escalation row 4: department and a level 0, 1, 2 … are needed",
    ]


def test_ladders_must_climb(db: Session, crypto: Crypto) -> None:
    sanitation(db, crypto)
    gap = parse_ladders_csv("department,level,designation,after_hours\n"
                            "sanitation,0,JE,0\nsanitation,2,EE,4\n")
    assert _refused(db, RuleSet(ladders=gap)).lines() == [
        "escalation row 2: levels of sanitation must be 0, 1, 2 … once each (got [0, 2])"]
    down = {"escalation": {"sanitation": [{"designation": "JE"},
                                          {"designation": "EE", "after_hours": 24},
                                          {"designation": "SE", "after_hours": 12}]}}
    assert _refused(db, parse_json(json.dumps(down))).lines() == [
        "escalation sanitation: after_hours of sanitation must not go down from one level "
        "to the next"]
    unknown = {"escalation": {"roads": [{"designation": "JE"}]}}
    assert _refused(db, parse_json(json.dumps(unknown))).fields() == [
        {"loc": ["escalation", "roads", "department"], "type": "unknown_department"}]


def test_loading_again_changes_nothing_and_removals_are_recorded(
        db: Session, crypto: Crypto) -> None:
    sanitation(db, crypto)

    def changes() -> list[tuple[str, str, str]]:
        return [(c.entity, c.key, c.action) for c in db.scalars(
            select(ConfigChange).where(ConfigChange.entity.in_(("routing_rule", "escalation")))
            .order_by(ConfigChange.at, ConfigChange.id))]

    assert changes() == [("routing_rule", "garbage/*", "create"),
                         ("routing_rule", "dead-animal/*", "create"),
                         ("escalation", "sanitation", "create")]
    again = load(db, AMRITSAR, parse_json(json.dumps(RULES)), actor="test")
    assert again == {"added": 0, "changed": 0, "removed": 0, "ladders": 0}
    shown = export(db, AMRITSAR)
    assert [(r["category"], r["strategy"]) for r in shown["rules"]] == [
        ("dead-animal", "round_robin"), ("garbage", "least_loaded")]
    assert shown["escalation"] == {"sanitation": [
        {"designation": "JE", "after_hours": 0}, {"designation": "EE", "after_hours": 0},
        {"designation": "Commissioner", "after_hours": 48}]}
    assert load(db, AMRITSAR, parse_json(json.dumps(shown)), actor="test")["ladders"] == 0
    fewer = {"rules": [{"category": "garbage", "ward": "*", "department": "sanitation",
                        "strategy": "round_robin"}]}
    assert load(db, AMRITSAR, parse_json(json.dumps(fewer)), actor="test") == {
        "added": 0, "changed": 1, "removed": 1, "ladders": 0}
    assert changes()[3:] == [("routing_rule", "garbage/*", "update"),
                             ("routing_rule", "dead-animal/*", "delete")]
    assert [r.category for r in db.scalars(select(RoutingRule))] == ["garbage"]
    assert export(db, AMRITSAR)["escalation"] == shown["escalation"]  # rules only: kept
