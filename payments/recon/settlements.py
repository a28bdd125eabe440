"""Settlement lines from any source, in one neutral shape, imported idempotently.

A gateway's recon report (`payments/razorpay/recon.py`), a BBPS settlement notification or a
refund all become `SettlementRow`s and go through `import_settlement_rows`: rows are upserted on
(tenant, source, line_key) in chunks, so the same rows twice change nothing and a later file
that says a held line was settled moves it on. Amounts are integer paise.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import date, datetime
from itertools import islice
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from payments.recon.imports import (
    ImportReport,
    Progress,
    RowError,
    begin,
    finish,
    report_of,
)
from payments.recon.models import SettlementLine

KINDS = frozenset({"payment", "refund", "adjustment", "transfer", "dispute", "other"})
CHUNK = 500
MUTABLE = ("kind", "payment_ref", "amount_paise", "credit_paise", "debit_paise", "fee_paise",
           "tax_paise", "on_hold", "settled", "settlement_id", "settlement_utr", "settled_on",
           "method", "description")
"""What a later report may change about a line (held, then settled)."""


@dataclass(frozen=True)
class SettlementRow:
    """One settlement line, source-neutral; `payment_ref` is the gateway's payment id."""

    line_key: str
    kind: str
    payment_ref: str | None
    amount_paise: int
    credit_paise: int = 0
    debit_paise: int = 0
    fee_paise: int = 0
    tax_paise: int = 0
    on_hold: bool = False
    settled: bool = False
    settlement_id: str | None = None
    settlement_utr: str | None = None
    settled_on: date | None = None
    occurred_at: datetime | None = None
    method: str = ""
    description: str = ""


def check(row: SettlementRow, line: int) -> RowError | None:
    """A row that cannot be stored, as a bad row (None when it is fine)."""
    if not row.line_key or len(row.line_key) > 100:
        return RowError(line, "invalid_key", "line_key")
    if row.kind not in KINDS:
        return RowError(line, "unknown_kind", "kind")
    if row.kind == "payment" and not row.payment_ref:
        return RowError(line, "missing_payment_ref", "payment_ref")
    for name in ("amount_paise", "credit_paise", "debit_paise", "fee_paise", "tax_paise"):
        value = getattr(row, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            return RowError(line, "invalid_amount", name)
    if row.settled and not row.settlement_id:
        return RowError(line, "missing_settlement", "settlement_id")
    return None


def _values(row: SettlementRow) -> dict[str, Any]:
    """A row as column values (the UTR in upper case, as bank lines keep it)."""
    values = asdict(row)
    values["settlement_utr"] = (row.settlement_utr or "").strip().upper() or None
    values["method"], values["description"] = row.method[:32], row.description[:200]
    return values


def _chunks(rows: Iterable[tuple[int, SettlementRow | RowError]], size: int,
            ) -> Iterator[list[tuple[int, SettlementRow | RowError]]]:
    """Rows in lists of `size`."""
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _store(db: Session, *, tenant_id: str, source: str, import_id: str,
           rows: list[SettlementRow], report: ImportReport) -> None:
    """Insert the new lines and update the changed ones of one chunk."""
    by_key = {row.line_key: _values(row) for row in rows}  # a key twice in a file: the last
    existing = db.execute(select(SettlementLine.id, SettlementLine.line_key,
                                 *[getattr(SettlementLine, c) for c in MUTABLE])
                          .where(SettlementLine.tenant_id == tenant_id,
                                 SettlementLine.source == source,
                                 SettlementLine.line_key.in_(list(by_key)))).all()
    changed = []
    for found in existing:
        values = by_key.pop(found.line_key)
        if any(getattr(found, c) != values[c] for c in MUTABLE):
            changed.append({"_id": found.id, **{c: values[c] for c in MUTABLE}})
    if by_key:
        db.execute(insert(SettlementLine), [
            {**values, "tenant_id": tenant_id, "source": source, "import_id": import_id}
            for values in by_key.values()])
    if changed:
        table = cast(Table, SettlementLine.__table__)
        db.execute(update(table).where(table.c.id == bindparam("_id"))
                   .values({c: bindparam(c) for c in MUTABLE}), changed)
    report.rows_new += len(by_key)
    report.rows_updated += len(changed)


def import_settlement_rows(db: Session, *, tenant_id: str, source: str, import_source: str,
                           file_hash: str, name: str, actor: str,
                           rows: Iterable[tuple[int, SettlementRow | RowError]],
                           progress: Progress | None = None) -> ImportReport:
    """Import (line number, row or bad row) pairs of one file, in the caller's transaction.

    `source` names the settling party (`razorpay`, `bbps`), `import_source` the file's kind
    (`razorpay_csv`, `razorpay_api`, `bbps`); a file already imported changes nothing."""
    record, new = begin(db, tenant_id=tenant_id, source=import_source, file_hash=file_hash,
                        name=name, actor=actor)
    if not new:
        return report_of(record, duplicate=True)
    report = ImportReport(record.id)
    for chunk in _chunks(rows, CHUNK):
        good: list[SettlementRow] = []
        for line, row in chunk:
            problem = row if isinstance(row, RowError) else check(row, line)
            if problem is not None:
                report.errors.append(problem)
            else:
                assert isinstance(row, SettlementRow)
                good.append(row)
        report.rows_total += len(chunk)
        if good:
            _store(db, tenant_id=tenant_id, source=source, import_id=record.id, rows=good,
                   report=report)
        if progress is not None:
            progress(len(chunk))
    finish(record, report)
    db.flush()
    return report
