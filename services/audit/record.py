"""Recording a change in the caller's transaction: it lands with the change or not at all."""

from __future__ import annotations

import getpass
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from services.audit.models import ConfigChange


def changed(before: Mapping[str, Any] | None,
            after: Mapping[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """Only the fields that differ (both sides), or None when nothing did."""
    old, new = dict(before or {}), dict(after or {})
    keys = [k for k in {**old, **new} if old.get(k) != new.get(k)]
    if not keys:
        return None
    return {k: old.get(k) for k in keys if k in old}, {k: new.get(k) for k in keys if k in new}


def record(db: Session, *, tenant_id: str, actor: str, entity: str, key: str, action: str,
           before: Mapping[str, Any] | None = None,
           after: Mapping[str, Any] | None = None) -> ConfigChange | None:
    """Add one change to the log (not committed: the caller commits it with the change).

    An update that changes nothing is not recorded; creates and retirements always are."""
    if action == "update":
        diff = changed(before, after)
        if diff is None:
            return None
        before, after = diff
    row = ConfigChange(tenant_id=tenant_id, actor=actor[:100], entity=entity, key=key[:100],
                       action=action, before=dict(before) if before is not None else None,
                       after=dict(after) if after is not None else None)
    db.add(row)
    return row


def cli_actor() -> str:
    """The actor recorded for a command-line change: the operating-system user."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"
