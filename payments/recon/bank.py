"""Bank statement CSVs: a per-bank column mapping (stored per tenant), rows read into paise.

A mapping names the columns of one bank's download: `date`, `narration`, `reference`,
`credit`, `debit`, `balance` (the last optional), `date_formats` to try, `skip_lines` of
preamble before the header, and `utr_pattern`, the regular expression that finds a UTR in the
narration when the reference column has none. A city's mapping of a name wins over its state's;
`default` is built in. Amounts are rupees (`1,23,456.78`) read into paise without a float.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from payments.money import MoneyError, paise
from payments.recon.imports import (
    ImportReport,
    Progress,
    RowError,
    begin,
    digest,
    finish,
    report_of,
)
from payments.recon.models import BankLine, BankMapping
from services.audit.record import record
from services.db.base import utcnow

DEFAULT: dict[str, Any] = {
    "date": "date", "narration": "narration", "reference": "reference", "credit": "credit",
    "debit": "debit", "balance": "balance",
    "date_formats": ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d-%b-%Y", "%d/%m/%y", "%d %b %Y"],
    "skip_lines": 0, "utr_pattern": r"\b(?=[A-Z0-9]*[0-9])[A-Z0-9]{12,22}\b",
}
NEEDED = ("date", "narration", "reference", "credit", "debit")
CHUNK = 500


class MappingError(ValueError):
    """A mapping that cannot be used (`code`)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class BankRow:
    """One statement row in paise, with the UTR found in it."""

    value_date: date
    narration: str
    reference: str
    utr: str | None
    credit_paise: int
    debit_paise: int
    balance_paise: int | None


def validate(columns: dict[str, Any]) -> dict[str, Any]:
    """A mapping completed from the default (MappingError `invalid_mapping`)."""
    merged = {**DEFAULT, **columns}
    if any(not isinstance(merged[k], str) or not merged[k].strip() for k in NEEDED):
        raise MappingError("invalid_mapping")
    if not isinstance(merged["date_formats"], list) or not merged["date_formats"]:
        raise MappingError("invalid_mapping")
    if not isinstance(merged["skip_lines"], int) or not 0 <= merged["skip_lines"] <= 100:
        raise MappingError("invalid_mapping")
    try:
        re.compile(str(merged["utr_pattern"]))
    except re.error:
        raise MappingError("invalid_mapping") from None
    return {k: merged[k] for k in DEFAULT}


def mapping_for(db: Session, tenant_id: str, name: str) -> dict[str, Any]:
    """The tenant's mapping of that name, else its state's, else the default one."""
    scopes = [tenant_id, tenant_id.split(".")[0]]
    rows = {row.tenant_id: row for row in db.scalars(select(BankMapping).where(
        BankMapping.tenant_id.in_(scopes), BankMapping.name == name))}
    for scope in scopes:
        if scope in rows:
            return validate(rows[scope].columns)
    if name == "default":
        return dict(DEFAULT)
    raise MappingError("unknown_mapping")


def set_mapping(db: Session, *, tenant_id: str, name: str, columns: dict[str, Any],
                actor: str) -> BankMapping:
    """Create or change a mapping of a city or state, audited in the caller's transaction."""
    if not re.fullmatch(r"[a-z0-9_.-]{1,64}", name):
        raise MappingError("invalid_name")
    clean = validate(columns)
    row = db.scalar(select(BankMapping).where(BankMapping.tenant_id == tenant_id,
                                              BankMapping.name == name))
    if row is None:
        row = BankMapping(tenant_id=tenant_id, name=name, columns=clean, updated_at=utcnow())
        db.add(row)
        record(db, tenant_id=tenant_id, actor=actor, entity="bank_mapping", key=name,
               action="create", after=clean)
    else:
        record(db, tenant_id=tenant_id, actor=actor, entity="bank_mapping", key=name,
               action="update", before=row.columns, after=clean)
        row.columns, row.updated_at = clean, utcnow()
    db.flush()
    return row


def _money(text: str, name: str, line: int) -> int:
    """A rupee amount (`1,23,456.78`, blank is zero) as paise."""
    clean = text.strip().replace(",", "").removesuffix("Cr").removesuffix("CR").strip()
    if clean in ("", "-"):
        return 0
    try:
        return paise(clean)
    except MoneyError:
        raise _Bad(RowError(line, "invalid_amount", name)) from None


class _Bad(Exception):
    """A row refused (carries its RowError)."""

    def __init__(self, error: RowError) -> None:
        super().__init__(error.code)
        self.error = error


def _day(text: str, formats: list[str], line: int) -> date:
    """The row's date in one of the mapping's formats."""
    for pattern in formats:
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    raise _Bad(RowError(line, "invalid_date", "date"))


def find_utr(reference: str, narration: str, pattern: str) -> str | None:
    """The UTR: the reference column, else the first match of the pattern in the narration."""
    if reference.strip():
        return reference.strip().upper()
    found = re.search(pattern, narration.upper())
    return found.group(0) if found else None


def _row(item: dict[str, str], mapping: dict[str, Any], line: int) -> BankRow:
    """One CSV record under the mapping."""
    def cell(key: str) -> str:
        return (item.get(mapping[key]) or "").strip()

    credit, debit = _money(cell("credit"), "credit", line), _money(cell("debit"), "debit", line)
    if credit and debit:
        raise _Bad(RowError(line, "credit_and_debit", "credit"))
    balance_text = cell("balance") if mapping.get("balance") else ""
    balance = _money(balance_text, "balance", line) if balance_text else None
    narration, reference = cell("narration")[:300], cell("reference")[:100]
    return BankRow(_day(cell("date"), mapping["date_formats"], line), narration, reference,
                   find_utr(reference, narration, mapping["utr_pattern"]), credit, debit,
                   balance)


def parse(text: str, mapping: dict[str, Any]) -> Iterator[tuple[int, BankRow | RowError]]:
    """Statement rows with their line numbers in the file (blank rows skipped)."""
    lines = io.StringIO(text.lstrip("\ufeff"))
    for _ in range(mapping["skip_lines"]):
        lines.readline()
    offset = mapping["skip_lines"]
    reader = csv.DictReader(lines)
    header = [h.strip() for h in reader.fieldnames or []]
    reader.fieldnames = header
    for key in NEEDED:
        if mapping[key] not in header:
            yield offset + 1, RowError(offset + 1, "missing_column", key)
            return
    for item in reader:
        line = offset + reader.line_num
        if not any((v or "").strip() for v in item.values() if isinstance(v, str)):
            continue
        try:
            yield line, _row(item, mapping, line)
        except _Bad as bad:
            yield line, bad.error


def _key(account: str, row: BankRow, seen: Counter[tuple[object, ...]]) -> str:
    """The row's identity: its fields and how many identical rows came before it here."""
    fields = (account, row.value_date.isoformat(), row.narration, row.reference,
              row.credit_paise, row.debit_paise, row.balance_paise)
    seen[fields] += 1
    return hashlib.sha256(repr((*fields, seen[fields])).encode()).hexdigest()


def import_statement(db: Session, *, tenant_id: str, mapping_name: str, data: bytes,
                     filename: str, actor: str,
                     progress: Progress | None = None) -> ImportReport:
    """Import a statement CSV read with a mapping; the same file (or rows) twice adds nothing."""
    mapping = mapping_for(db, tenant_id, mapping_name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MappingError("not_utf8") from None
    row_import, new = begin(db, tenant_id=tenant_id, source=f"bank_csv:{mapping_name}",
                            file_hash=digest(data), name=filename, actor=actor)
    if not new:
        return report_of(row_import, duplicate=True)
    report = ImportReport(row_import.id)
    seen: Counter[tuple[object, ...]] = Counter()
    batch: dict[str, dict[str, Any]] = {}

    def flush() -> None:
        known = set(db.scalars(select(BankLine.line_key).where(
            BankLine.tenant_id == tenant_id, BankLine.line_key.in_(list(batch)))))
        fresh = [values for key, values in batch.items() if key not in known]
        if fresh:
            db.execute(insert(BankLine), fresh)
        report.rows_new += len(fresh)
        if progress is not None:
            progress(len(batch))
        batch.clear()

    for _line, row in parse(text, mapping):
        report.rows_total += 1
        if isinstance(row, RowError):
            report.errors.append(row)
            continue
        key = _key(mapping_name, row, seen)
        batch[key] = {"tenant_id": tenant_id, "import_id": row_import.id,
                      "account": mapping_name, "line_key": key, **row.__dict__}
        if len(batch) >= CHUNK:
            flush()
    if batch:
        flush()
    finish(row_import, report)
    db.flush()
    return report
