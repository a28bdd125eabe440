"""A report as JSON or CSV (a header of dimensions and measures, then one line a group)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from fastapi.responses import Response

from services.reporting.datasets import Row

CSV_TYPE = "text/csv; charset=utf-8"


def as_csv(columns: Sequence[str], rows: list[Row], filename: str) -> Response:
    """The rows as CSV; a suppressed (null) cell is empty, the `suppressed` column names them
    separated by spaces."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(name)) for name in columns])
    return Response(buffer.getvalue().encode(), media_type=CSV_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _cell(value: Any) -> str:
    """One CSV cell."""
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return str(value)
