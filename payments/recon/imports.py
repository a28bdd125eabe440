"""What every import shares: the file's hash, its one `recon_imports` row, bad rows by line.

An import is known by (tenant, source, SHA-256 of the bytes): the same file again finds the
row already there and changes nothing (`duplicate_file`). Rows are then keyed each on their
own (`line_key`), so a file that overlaps an earlier one adds only what is new.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from payments.recon.models import ReconImport

MAX_ERRORS = 1000
"""Bad rows kept on the import row (all are counted)."""
Progress = Callable[[int], None]
"""Told how many more rows were read."""


@dataclass(frozen=True)
class RowError:
    """A row that could not be read: its line in the file, a code, the column."""

    line: int
    code: str
    field: str = ""

    def as_dict(self) -> dict[str, object]:
        """As stored on the import row."""
        return {"line": self.line, "code": self.code, "field": self.field}


@dataclass
class ImportReport:
    """What an import did."""

    import_id: str
    duplicate_file: bool = False
    rows_total: int = 0
    rows_new: int = 0
    rows_updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def rows_bad(self) -> int:
        """Rows refused."""
        return len(self.errors)


def digest(data: bytes) -> str:
    """The file's identity."""
    return hashlib.sha256(data).hexdigest()


def report_of(row: ReconImport, *, duplicate: bool) -> ImportReport:
    """An import row as a report."""
    errors = [RowError(int(e["line"]), str(e["code"]), str(e.get("field", "")))
              for e in row.errors or []]
    return ImportReport(row.id, duplicate, row.rows_total, 0 if duplicate else row.rows_new,
                        0 if duplicate else row.rows_updated, errors)


def begin(db: Session, *, tenant_id: str, source: str, file_hash: str, name: str,
          actor: str) -> tuple[ReconImport, bool]:
    """The import's row and whether it is new (False: this file was imported before)."""
    query = select(ReconImport).where(ReconImport.tenant_id == tenant_id,
                                      ReconImport.source == source,
                                      ReconImport.file_hash == file_hash)
    found = db.scalar(query)
    if found is not None:
        return found, False
    row = ReconImport(tenant_id=tenant_id, source=source, file_hash=file_hash,
                      name=name[:200], actor=actor[:100], errors=[], rows_total=0, rows_new=0,
                      rows_updated=0, rows_bad=0)
    try:
        with db.begin_nested():
            db.add(row)
    except IntegrityError:  # the same file imported at the same moment elsewhere
        found = db.scalar(query)
        assert found is not None
        return found, False
    return row, True


def finish(row: ReconImport, report: ImportReport) -> None:
    """Write the counts and the first bad rows onto the import row."""
    row.rows_total, row.rows_new = report.rows_total, report.rows_new
    row.rows_updated, row.rows_bad = report.rows_updated, report.rows_bad
    row.errors = [e.as_dict() for e in report.errors[:MAX_ERRORS]]
