"""What the sweeper picks: due outbox rows, replies before notices before bulk, each with its lane.

One query per priority level, highest first, until the limit is filled: a campaign's backlog of
due bulk rows cannot push a citizen's reply out of a sweep. Each query is a UNION ALL of two
plain conditions (pending and due; in flight past the window) with no OR across columns, so each
side can use the index on `status` or on `next_attempt_at`, ordered and cut by LIMIT.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import ColumnElement, Select, select, union_all
from sqlalchemy.orm import Session, sessionmaker

from services.db.base import utcnow
from services.messaging.attempt import Clock
from services.messaging.lanes import Lane
from services.messaging.models import OutboxItem

log = logging.getLogger(__name__)

PRIORITIES = tuple(sorted({lane.priority for lane in Lane}))


class DueRow(NamedTuple):
    """A due outbox row and the lane whose queue it goes to."""

    id: str
    lane: Lane


def due(sessions: sessionmaker[Session], inflight_seconds: int, limit: int = 500, *,
        now: Clock = utcnow) -> Sequence[DueRow]:
    """Rows to attempt now (pending and due, or stuck in flight), by priority then due time."""
    moment = now()
    stale = moment - timedelta(seconds=inflight_seconds)
    levels: list[ColumnElement[bool]] = [OutboxItem.priority == p for p in PRIORITIES]
    levels.append(OutboxItem.priority.not_in(PRIORITIES))  # a row no lane knows is still sent
    found: list[DueRow] = []
    with sessions() as db:
        for level in levels:
            if len(found) >= limit:
                break
            rows = union_all(
                _columns().where(OutboxItem.status == "pending",
                                 OutboxItem.next_attempt_at <= moment, level),
                _columns().where(OutboxItem.status == "sending",
                                 OutboxItem.claimed_at < stale, level)).subquery()
            query = (select(rows.c.id, rows.c.lane).order_by(rows.c.next_attempt_at)
                     .limit(limit - len(found)))
            found.extend(DueRow(row_id, _lane(row_id, lane)) for row_id, lane in db.execute(query))
    return found


def _columns() -> Select[str, str, datetime]:
    """What each side of the union selects."""
    return select(OutboxItem.id, OutboxItem.lane, OutboxItem.next_attempt_at)


def _lane(row_id: str, value: str) -> Lane:
    """The row's lane; an unknown value goes to the bulk queue, never ahead of replies."""
    try:
        return Lane(value)
    except ValueError:
        log.warning("outbox %s has unknown lane %r; sent in the bulk lane", row_id, value)
        return Lane.BULK
