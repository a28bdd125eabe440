"""Categories as files: CSV import/export, and a DIGIT state's PGR service definitions.

CSV columns: `code, sla_hours, department, photo_required, location_required, active,
menu_path, keywords` (`|`-separated) and one `name_<language>` column per language. An import
adds new codes and updates existing ones; an empty name cell keeps that language's name, a code
missing from the file is left alone. Either every row applies or none does: the error names
each bad row (the header is row 1).

DIGIT keeps PGR categories in MDMS as `RAINMAKER-PGR.ServiceDefs`: a JSON file
`{"tenantId", "moduleName": "RAINMAKER-PGR", "ServiceDefs": [{"serviceCode", "name",
"keywords" (comma-separated), "department" (a code such as DEPT_3), "slaHours", "menuPath",
"active", "order"?}]}`. The MDMS search answer (`{"MdmsRes": {"RAINMAKER-PGR": {"ServiceDefs":
[...]}}}`) and a bare list are read too. `serviceCode` becomes the category code, `name` its
English name; departments not yet known are created with their code as name.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from services.categories.service import CategoryFields, categories, upsert
from services.staff.directory import add_department, department
from services.validation import Invalid, Problem

BASE_COLUMNS = ("code", "sla_hours", "department", "photo_required", "location_required",
                "active", "menu_path", "keywords")
TRUE = frozenset({"1", "true", "yes", "y"})
FALSE = frozenset({"0", "false", "no", "n", ""})


@dataclass(frozen=True)
class Imported:
    """What an import did."""

    created: int
    updated: int
    departments: int = 0


def export_csv(db: Session, tenant_id: str) -> Iterator[str]:
    """The tenant's categories as CSV, retired ones included."""
    rows = categories(db, tenant_id)
    languages = sorted({lang for row in rows for lang in row.names},
                       key=lambda lang: (lang != "en", lang))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*BASE_COLUMNS, *(f"name_{lang}" for lang in languages)])
    for row in rows:
        writer.writerow([row.code, row.sla_hours, row.department or "",
                         _flag(row.photo_required), _flag(row.location_required),
                         _flag(row.active), row.menu_path or "", "|".join(row.keywords or []),
                         *(row.names.get(lang, "") for lang in languages)])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def _flag(value: bool) -> str:
    """A boolean cell."""
    return "true" if value else "false"


def _bool(value: str, default: bool) -> bool:
    """A boolean cell: true/false, yes/no, 1/0; empty is the default."""
    text = value.strip().lower()
    if not text:
        return default
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise ValueError(value)


def _row_fields(cells: Mapping[str, str]) -> CategoryFields:
    """One CSV row as the fields to set (ValueError naming the column at fault)."""
    try:
        sla = int(cells.get("sla_hours", "").strip())
    except ValueError:
        raise ValueError("sla_hours") from None
    flags: dict[str, bool] = {}
    for column, default in (("photo_required", False), ("location_required", False),
                            ("active", True)):
        try:
            flags[column] = _bool(cells.get(column) or "", default)
        except ValueError:
            raise ValueError(column) from None
    names = {key.removeprefix("name_"): value.strip() for key, value in cells.items()
             if key.startswith("name_") and value and value.strip()}
    return CategoryFields(
        names=names, sla_hours=sla, department=(cells.get("department") or "").strip(),
        photo_required=flags["photo_required"], location_required=flags["location_required"],
        active=flags["active"], menu_path=(cells.get("menu_path") or "").strip(),
        keywords=[w for w in (cells.get("keywords") or "").split("|") if w.strip()])


def import_csv(db: Session, *, tenant_id: str, text: str, actor: str) -> Imported:
    """Add or update categories from CSV; Invalid listing every bad row (nothing applied:
    the caller rolls back)."""
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    if "code" not in header or "sla_hours" not in header:
        raise Invalid("invalid_csv", [Problem(("rows", "1"), "missing_columns",
                                              "row 1: the header needs code and sla_hours")])
    problems: list[Problem] = []
    created = updated = 0
    for number, cells in enumerate(reader, start=2):
        code = (cells.get("code") or "").strip()
        try:
            spec = _row_fields({k: v or "" for k, v in cells.items() if k})
        except ValueError as exc:
            problems.append(Problem(("rows", str(number), str(exc)), "invalid_value",
                                    f"row {number} ({code}): {exc} is not valid"))
            continue
        try:
            _, new = upsert(db, tenant_id=tenant_id, code=code, spec=spec, actor=actor)
        except Invalid as exc:
            problems += [Problem(("rows", str(number), *p.loc), p.type,
                                 f"row {number} ({code}): {p.message}") for p in exc.problems]
            continue
        created, updated = created + new, updated + (not new)
    if problems:
        raise Invalid("invalid_csv", problems)
    return Imported(created, updated)


def service_defs(data: Any) -> Sequence[Any]:
    """The ServiceDefs list of an MDMS file, an MDMS search answer, or a bare list."""
    if isinstance(data, Mapping) and isinstance(data.get("MdmsRes"), Mapping):
        data = data["MdmsRes"].get("RAINMAKER-PGR", {})
    if isinstance(data, Mapping):
        data = data.get("ServiceDefs")
    if not isinstance(data, list):
        raise Invalid("invalid_service_defs", [Problem(("ServiceDefs",), "missing",
                                                       "no ServiceDefs list in the file")])
    return data


def _digit_fields(entry: Mapping[str, Any]) -> CategoryFields:
    """One ServiceDef as category fields (ValueError naming the attribute at fault)."""
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValueError("name")
    sla = entry.get("slaHours")
    if not isinstance(sla, int) or isinstance(sla, bool):
        raise ValueError("slaHours")
    keywords = entry.get("keywords") or ""
    if not isinstance(keywords, str):
        raise ValueError("keywords")
    active = entry.get("active", True)
    if not isinstance(active, bool):
        raise ValueError("active")
    dept = entry.get("department") or ""
    menu = entry.get("menuPath") or ""
    if not isinstance(dept, str) or not isinstance(menu, str):
        raise ValueError("department" if not isinstance(dept, str) else "menuPath")
    return CategoryFields(names={"en": name.strip()}, sla_hours=sla, department=dept.strip(),
                          keywords=[w.strip() for w in keywords.split(",")],
                          menu_path=menu.strip(), active=active)


def import_service_defs(db: Session, *, tenant_id: str, text: str, actor: str) -> Imported:
    """Add or update categories from DIGIT's ServiceDefs; Invalid names each bad entry."""
    try:
        entries = service_defs(json.loads(text))
    except json.JSONDecodeError as exc:
        raise Invalid("invalid_service_defs", [Problem(("file",), "invalid_json",
                                                       f"not JSON (line {exc.lineno})")]) from None
    problems: list[Problem] = []
    created = updated = made = 0
    for index, entry in enumerate(entries):
        where = f"ServiceDefs[{index}]"
        code = entry.get("serviceCode") if isinstance(entry, Mapping) else None
        if not isinstance(code, str) or not code:
            problems.append(Problem(("ServiceDefs", str(index), "serviceCode"), "missing",
                                    f"{where}: no serviceCode"))
            continue
        try:
            spec = _digit_fields(entry)
        except ValueError as exc:
            problems.append(Problem(("ServiceDefs", str(index), str(exc)), "invalid_value",
                                    f"{where} ({code}): {exc} is missing or not valid"))
            continue
        if spec.department and department(db, tenant_id, spec.department) is None:
            add_department(db, tenant_id=tenant_id, code=spec.department,
                           names={"en": spec.department}, actor=actor)
            made += 1
        try:
            _, new = upsert(db, tenant_id=tenant_id, code=code, spec=spec, actor=actor)
        except Invalid as exc:
            problems += [Problem(("ServiceDefs", str(index), *p.loc), p.type,
                                 f"{where} ({code}): {p.message}") for p in exc.problems]
            continue
        created, updated = created + new, updated + (not new)
    if problems:
        raise Invalid("invalid_service_defs", problems)
    return Imported(created, updated, made)
