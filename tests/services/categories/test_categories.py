"""Categories without code: add, edit, retire, CSV in and out, DIGIT ServiceDefs import."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.audit.models import ConfigChange
from services.categories.files import export_csv, import_csv, import_service_defs
from services.categories.service import (
    CategoryFields,
    add_category,
    category,
    edit_category,
    retire_category,
)
from services.grievances.registry import InvalidReference
from services.security.crypto import Crypto
from services.staff.directory import add_department, department
from services.tenancy.service import load_master_data
from services.validation import Invalid
from tests.services.grievances.helpers import AMRITSAR, LUDHIANA, file

FIXTURES = Path(__file__).parent / "fixtures"


def _changes(db: Session, entity: str) -> list[tuple[str, str]]:
    """(key, action) of the recorded changes of one kind, oldest first."""
    return [(c.key, c.action) for c in db.scalars(
        select(ConfigChange).where(ConfigChange.entity == entity)
        .order_by(ConfigChange.at, ConfigChange.id))]


def test_add_edit_retire_with_history_kept(db: Session, crypto: Crypto) -> None:
    add_department(db, tenant_id=LUDHIANA, code="roads", names={"en": "Roads"}, actor="cli:a")
    row = add_category(db, tenant_id=LUDHIANA, code="pothole", actor="cli:a", spec=CategoryFields(
        names={"en": "Pothole", "hi": "गड्ढा"}, sla_hours=72, department="roads",
        photo_required=True))
    master = load_master_data(db, LUDHIANA)
    assert master.required[row.id] == frozenset({"photo"})
    assert row.id in {o.id for o in master.categories}
    edit_category(db, tenant_id=LUDHIANA, code="pothole", actor="cli:a",
                  spec=CategoryFields(names={"pa": "ਟੋਆ"}, sla_hours=48))
    assert (row.names, row.sla_hours) == ({"en": "Pothole", "hi": "गड्ढा", "pa": "ਟੋਆ"}, 48)
    filed = file(db, crypto, LUDHIANA, category="pothole", locality="model-town")
    retire_category(db, tenant_id=LUDHIANA, code="pothole", actor="cli:a")
    assert row.id not in {o.id for o in load_master_data(db, LUDHIANA).categories}
    with pytest.raises(InvalidReference):
        file(db, crypto, LUDHIANA, category="pothole", locality="model-town")
    assert category(db, LUDHIANA, "pothole") is not None  # kept, with its grievance
    assert filed.category == "pothole"
    assert _changes(db, "category") == [("pothole", "create"), ("pothole", "update"),
                                        ("pothole", "retire")]


@pytest.mark.parametrize(("spec", "problem"), [
    (CategoryFields(names={"en": "X"}, sla_hours=0), "invalid_sla"),
    (CategoryFields(names={"en": "X"}, sla_hours=24, department="parks"),
     "unknown_department"),
    (CategoryFields(names={"en": "X", "xx": "?"}, sla_hours=24), "unknown_language"),
    (CategoryFields(names={"hi": "कचरा"}, sla_hours=24), "missing"),
])
def test_bad_categories_are_refused(db: Session, spec: CategoryFields, problem: str) -> None:
    with pytest.raises(Invalid) as caught:
        add_category(db, tenant_id=LUDHIANA, code="new", spec=spec, actor="t")
    assert [p.type for p in caught.value.problems] == [problem]
    with pytest.raises(Invalid) as caught:
        add_category(db, tenant_id=LUDHIANA, code="garbage", actor="t",
                     spec=CategoryFields(names={"en": "G"}, sla_hours=1))
    assert caught.value.problems[0].type == "duplicate"


def test_csv_round_trip_and_row_errors(db: Session) -> None:
    text = "".join(export_csv(db, AMRITSAR))
    header = text.splitlines()[0]
    assert header.startswith("code,sla_hours,department,photo_required,location_required,"
                             "active,menu_path,keywords,name_en,")
    assert "garbage,48,sanitation,false,false,true,,,Garbage not collected" in text
    changed = text.replace("garbage,48,sanitation,false,false", "garbage,24,sanitation,true,"
                           "false")
    done = import_csv(db, tenant_id=AMRITSAR, text=changed, actor="t")
    assert (done.created, done.updated) == (0, 8)
    garbage = category(db, AMRITSAR, "garbage")
    assert garbage is not None and (garbage.sla_hours, garbage.photo_required) == (24, True)
    assert garbage.names["hi"] == "कचरा नहीं उठाया गया"  # every language kept
    again = import_csv(db, tenant_id=AMRITSAR, text=changed, actor="t")
    assert again.updated == 8 and _changes(db, "category") == [("garbage", "update")]
    bad = (header + "\n" + "rickshaw,abc,,,,,,,Rickshaw stand\n"
           + "potholes,24,roads,,,,,,Potholes\n" + "garbage,24,,maybe,,,,,Garbage\n")
    with pytest.raises(Invalid) as caught:
        import_csv(db, tenant_id=AMRITSAR, text=bad, actor="t")
    assert caught.value.lines() == [
        "row 2 (rickshaw): sla_hours is not valid",
        "row 3 (potholes): no active department 'roads' in pb.amritsar",
        "row 4 (garbage): photo_required is not valid"]


def test_digit_service_definitions(db: Session) -> None:
    text = (FIXTURES / "ServiceDefs__state.json").read_text(encoding="utf-8")
    done = import_service_defs(db, tenant_id=LUDHIANA, text=text, actor="cli:ops")
    assert (done.created, done.updated, done.departments) == (5, 0, 3)
    burning = category(db, LUDHIANA, "BurningOfGarbage")
    assert burning is not None
    assert (burning.names, burning.sla_hours, burning.department, burning.menu_path) == (
        {"en": "Burning of garbage"}, 24, "DEPT_3", "Garbage")
    assert burning.keywords == ["garbage", "burn", "fire", "smoke"]
    long = category(db, LUDHIANA, "BrokenWaterPipeOrLeakageOnTheMainRoad")  # 37 characters
    assert long is not None and long.department == "DEPT_4"
    retired = category(db, LUDHIANA, "NoStreetlight")
    assert retired is not None and retired.active is False
    assert department(db, LUDHIANA, "DEPT_1") is not None
    assert sorted(_changes(db, "department")) == [("DEPT_1", "create"), ("DEPT_3", "create"),
                                                  ("DEPT_4", "create")]
    offered = {o.id for o in load_master_data(db, LUDHIANA).categories}
    assert burning.id in offered and retired.id not in offered
    # A second import (here as the MDMS search answer) changes nothing.
    wrapped = json.dumps({"MdmsRes": {"RAINMAKER-PGR": json.loads(text)}})
    entries = len(_changes(db, "category"))
    assert import_service_defs(db, tenant_id=LUDHIANA, text=wrapped, actor="x").created == 0
    assert len(_changes(db, "category")) == entries


def test_digit_errors_name_the_entry(db: Session) -> None:
    data = json.loads((FIXTURES / "ServiceDefs__state.json").read_text(encoding="utf-8"))
    del data["ServiceDefs"][1]["slaHours"]
    data["ServiceDefs"][2]["serviceCode"] = ""
    data["ServiceDefs"][3]["serviceCode"] = "Broken water pipe"
    with pytest.raises(Invalid) as caught:
        import_service_defs(db, tenant_id=LUDHIANA, text=json.dumps(data), actor="x")
    assert caught.value.lines() == [
        "ServiceDefs[1] (BurningOfGarbage): slaHours is missing or not valid",
        "ServiceDefs[2]: no serviceCode",
        "ServiceDefs[3] (Broken water pipe): category code 'Broken water pipe': letters, "
        "digits, '_', '.', '-', at most 64"]
    with pytest.raises(Invalid) as caught:
        import_service_defs(db, tenant_id=LUDHIANA, text='{"tenantId": "pb"}', actor="x")
    assert caught.value.lines() == ["no ServiceDefs list in the file"]
