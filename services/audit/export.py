"""Reading the change log back: filtered, oldest first, as JSON lines or CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.audit.models import ConfigChange
from services.db.base import aware

COLUMNS = ("at", "tenant_id", "actor", "entity", "key", "action", "before", "after")


def changes(db: Session, tenant_ids: list[str], *, since: datetime | None = None,
            entity: str | None = None, batch: int = 1000) -> Iterator[dict[str, Any]]:
    """Every recorded change of these tenants (oldest first), streamed in batches."""
    query = select(ConfigChange).where(ConfigChange.tenant_id.in_(tenant_ids))
    if since is not None:
        query = query.where(ConfigChange.at >= since)
    if entity is not None:
        query = query.where(ConfigChange.entity == entity)
    for row in db.scalars(query.order_by(ConfigChange.at, ConfigChange.id)
                          .execution_options(yield_per=batch)):
        yield {"at": aware(row.at).isoformat(), "tenant_id": row.tenant_id, "actor": row.actor,
               "entity": row.entity, "key": row.key, "action": row.action,
               "before": row.before, "after": row.after}


def as_jsonl(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    """One JSON object per line."""
    for row in rows:
        yield json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n"


def as_csv(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    """A header, then one line per change; before and after as JSON text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([json.dumps(row[c], ensure_ascii=False, sort_keys=True)
                         if c in ("before", "after") else row[c] for c in COLUMNS])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.getvalue():
        yield buffer.getvalue()
