"""Routing rules and escalation ladders as data: JSON or CSV in, validated, or refused by row.

JSON (the whole routing of a tenant; either key may be left out to keep what is loaded):

    {"rules": [{"category": "garbage", "ward": "*", "department": "sanitation",
                "strategy": "least_loaded"}, ...],
     "escalation": {"sanitation": [{"designation": "JE"},
                                   {"designation": "EE", "after_hours": 0},
                                   {"designation": "Commissioner", "after_hours": 48}]}}

CSV: a rules file `category,ward,department,strategy` and a ladder file
`department,level,designation,after_hours`. `*` matches any category or ward; strategy is
`round_robin` or `least_loaded` (the default). Level 0 of a ladder is who routing assigns
first; level n is reached `after_hours` after the SLA due date (non-decreasing by level).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.staff.models import Department
from services.tenancy.models import Category, Ward
from services.validation import Invalid, Problem

ANY = "*"
STRATEGIES = ("least_loaded", "round_robin")
MAX_AFTER_HOURS = 24 * 366


@dataclass(frozen=True)
class Rule:
    """Category × ward → department, with how the officer is picked; `where` names its row."""

    category: str
    ward: str
    department: str
    strategy: str
    where: tuple[str, ...]


@dataclass(frozen=True)
class Level:
    """One rung of a ladder."""

    level: int
    designation: str
    after_hours: int


@dataclass(frozen=True)
class Ladder:
    """A department's escalation ladder, level 0 first; `where` names its first row."""

    department: str
    levels: tuple[Level, ...]
    where: tuple[str, ...]


@dataclass(frozen=True)
class RuleSet:
    """What a load replaces: rules and/or ladders (None keeps what is loaded)."""

    rules: tuple[Rule, ...] | None = None
    ladders: tuple[Ladder, ...] | None = None


def _label(where: tuple[str, ...]) -> str:
    """A row's name for people: `rules row 3`, `escalation sanitation level 2`."""
    return " ".join(where)


def _text(value: Any) -> str | None:
    """A cell or JSON value as stripped text (None when it is not text)."""
    return value.strip() if isinstance(value, str) else None


def _rule(cells: Mapping[str, Any], where: tuple[str, ...],
          problems: list[Problem]) -> Rule | None:
    """One rule from a JSON object or CSV row; shape problems are collected."""
    values: dict[str, str] = {}
    for name in ("category", "ward", "department"):
        text = _text(cells.get(name))
        if not text:
            problems.append(Problem((*where, name), "missing", f"{_label(where)}: {name} is "
                                    "missing"))
        else:
            values[name] = text
    strategy = _text(cells.get("strategy")) or STRATEGIES[0]
    if strategy not in STRATEGIES:
        problems.append(Problem((*where, "strategy"), "invalid_strategy",
                                f"{_label(where)}: strategy {strategy!r} is not one of "
                                f"{', '.join(STRATEGIES)}"))
        return None
    if len(values) < 3:
        return None
    return Rule(values["category"], values["ward"], values["department"], strategy, where)


def _int(value: Any) -> int | None:
    """A whole number from JSON or a CSV cell."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = _text(value)
    return int(text) if text and text.lstrip("-").isdigit() else None


def _level(cells: Mapping[str, Any], level: int, where: tuple[str, ...],
           problems: list[Problem]) -> Level | None:
    """One ladder level; shape problems are collected."""
    designation = _text(cells.get("designation"))
    raw = cells.get("after_hours", 0)
    after = 0 if raw in (None, "") else _int(raw)
    ok = True
    if not designation or len(designation) > 32:
        problems.append(Problem((*where, "designation"), "missing",
                                f"{_label(where)}: designation is missing or over 32 "
                                "characters"))
        ok = False
    if after is None or not 0 <= after <= MAX_AFTER_HOURS:
        problems.append(Problem((*where, "after_hours"), "invalid_hours",
                                f"{_label(where)}: after_hours must be 0 to {MAX_AFTER_HOURS}"))
        ok = False
    return Level(level, designation or "", after or 0) if ok else None


def parse_json(text: str) -> RuleSet:
    """A rule set from JSON; Invalid naming every malformed row."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Invalid("invalid_rules", [Problem(("file",), "invalid_json",
                                                f"not JSON (line {exc.lineno})")]) from None
    if not isinstance(data, Mapping) or not ({"rules", "escalation"} & set(data)):
        raise Invalid("invalid_rules", [Problem(("file",), "missing",
                                                "expected an object with rules and/or "
                                                "escalation")])
    problems: list[Problem] = []
    rules: tuple[Rule, ...] | None = None
    ladders: tuple[Ladder, ...] | None = None
    if "rules" in data:
        if not isinstance(data["rules"], list):
            problems.append(Problem(("rules",), "not_a_list", "rules must be a list"))
        else:
            found = []
            for n, cells in enumerate(data["rules"], start=1):
                where = ("rules", "row", str(n))
                if not isinstance(cells, Mapping):
                    problems.append(Problem(where, "not_an_object", f"{_label(where)}: not an "
                                            "object"))
                elif (rule := _rule(cells, where, problems)) is not None:
                    found.append(rule)
            rules = tuple(found)
    if "escalation" in data:
        if not isinstance(data["escalation"], Mapping):
            problems.append(Problem(("escalation",), "not_an_object",
                                    "escalation must map department codes to level lists"))
        else:
            ladders = tuple(_json_ladders(data["escalation"], problems))
    if problems:
        raise Invalid("invalid_rules", problems)
    return RuleSet(rules, ladders)


def _json_ladders(data: Mapping[str, Any], problems: list[Problem]) -> list[Ladder]:
    """Ladders from `{department: [level, ...]}`."""
    ladders = []
    for dept, steps in data.items():
        where = ("escalation", str(dept))
        if not isinstance(steps, list) or not steps:
            problems.append(Problem(where, "not_a_list", f"{_label(where)}: a non-empty list "
                                    "of levels"))
            continue
        levels = []
        for n, cells in enumerate(steps):
            at = (*where, "level", str(n))
            if not isinstance(cells, Mapping):
                problems.append(Problem(at, "not_an_object", f"{_label(at)}: not an object"))
            elif (level := _level(cells, n, at, problems)) is not None:
                levels.append(level)
        ladders.append(Ladder(str(dept), tuple(levels), where))
    return ladders


def _csv_rows(text: str, needed: Sequence[str], name: str,
              problems: list[Problem]) -> list[tuple[int, dict[str, str]]]:
    """CSV rows numbered as a spreadsheet shows them (the header is row 1)."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in needed if c not in (reader.fieldnames or [])]
    if missing:
        problems.append(Problem((name, "row", "1"), "missing_columns",
                                f"{name} row 1: the header lacks {', '.join(missing)}"))
        return []
    return [(n, {k: v or "" for k, v in row.items() if k})
            for n, row in enumerate(reader, start=2)]


def parse_rules_csv(text: str) -> tuple[Rule, ...]:
    """Rules from CSV `category,ward,department,strategy`; Invalid naming each bad row."""
    problems: list[Problem] = []
    rows = _csv_rows(text, ("category", "ward", "department"), "rules", problems)
    rules = [rule for n, cells in rows
             if (rule := _rule(cells, ("rules", "row", str(n)), problems)) is not None]
    if problems:
        raise Invalid("invalid_rules", problems)
    return tuple(rules)


def parse_ladders_csv(text: str) -> tuple[Ladder, ...]:
    """Ladders from CSV `department,level,designation,after_hours`; Invalid naming bad rows."""
    problems: list[Problem] = []
    rows = _csv_rows(text, ("department", "level", "designation"), "escalation", problems)
    by_dept: dict[str, list[tuple[tuple[str, ...], Level]]] = {}
    for n, cells in rows:
        where = ("escalation", "row", str(n))
        dept, number = _text(cells.get("department")), _int(cells.get("level"))
        if not dept or number is None or number < 0:
            problems.append(Problem(where, "missing", f"{_label(where)}: department and a "
                                    "level 0, 1, 2 … are needed"))
            continue
        if (level := _level(cells, number, where, problems)) is not None:
            by_dept.setdefault(dept, []).append((where, level))
    ladders = []
    for dept, items in by_dept.items():
        items.sort(key=lambda item: item[1].level)
        ladders.append(Ladder(dept, tuple(level for _, level in items), items[0][0]))
    if problems:
        raise Invalid("invalid_rules", problems)
    return tuple(ladders)


def validate(db: Session, tenant_id: str, rules: RuleSet) -> None:
    """Check every reference against the tenant's data; Invalid naming each bad row."""
    problems: list[Problem] = []
    categories = set(db.scalars(select(Category.code).where(Category.tenant_id == tenant_id)))
    wards = set(db.scalars(select(Ward.code).where(Ward.tenant_id == tenant_id)))
    departments = set(db.scalars(select(Department.code).where(
        Department.tenant_id == tenant_id, Department.active.is_(True))))
    seen: dict[tuple[str, str], tuple[str, ...]] = {}
    for rule in rules.rules or ():
        label = _label(rule.where)
        if rule.category != ANY and rule.category not in categories:
            problems.append(Problem((*rule.where, "category"), "unknown_category",
                                    f"{label}: no category {rule.category!r} in {tenant_id}"))
        if rule.ward != ANY and rule.ward not in wards:
            problems.append(Problem((*rule.where, "ward"), "unknown_ward",
                                    f"{label}: no ward {rule.ward!r} in {tenant_id}"))
        if rule.department not in departments:
            problems.append(Problem((*rule.where, "department"), "unknown_department",
                                    f"{label}: no active department {rule.department!r} in "
                                    f"{tenant_id}"))
        key = (rule.category, rule.ward)
        if key in seen:
            problems.append(Problem(rule.where, "duplicate",
                                    f"{label}: {rule.category} × {rule.ward} is already "
                                    f"routed by {_label(seen[key])}"))
        seen.setdefault(key, rule.where)
    for ladder in rules.ladders or ():
        problems += _ladder_problems(ladder, departments, tenant_id)
    if problems:
        raise Invalid("invalid_rules", problems)


def _ladder_problems(ladder: Ladder, departments: set[str], tenant_id: str) -> list[Problem]:
    """What is wrong with one ladder: its department, gaps, or hours going down."""
    label = _label(ladder.where)
    if ladder.department not in departments:
        return [Problem((*ladder.where, "department"), "unknown_department",
                        f"{label}: no active department {ladder.department!r} in "
                        f"{tenant_id}")]
    numbers = [level.level for level in ladder.levels]
    if numbers != list(range(len(numbers))):
        return [Problem(ladder.where, "level_gap", f"{label}: levels of {ladder.department} "
                        f"must be 0, 1, 2 … once each (got {numbers})")]
    hours = [level.after_hours for level in ladder.levels[1:]]
    if any(later < earlier for earlier, later in pairwise(hours)):
        return [Problem(ladder.where, "hours_decrease", f"{label}: after_hours of "
                        f"{ladder.department} must not go down from one level to the next")]
    return []
