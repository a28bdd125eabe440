"""The worker's half of the inbox: a conversation's recorded events, handled one at a time.

Events of one conversation run in arrival order under the conversation's lease (a Redis lock
with a time to live, so a worker killed mid-turn loses it); different conversations run in
parallel. A turn is one transaction that also marks its inbox row done, so an interrupted turn
is done again from the start, once. Whatever is left pending (a lost enqueue, a dead worker, a
failed turn) is found by the sweeper.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from services.db.base import utcnow
from services.inbox.limits import mark_limited, over_limit
from services.inbox.models import InboxEvent
from services.inbox.record import decode_event
from services.inbox.status import record_failure
from services.media.copier import copy_all
from services.messaging.lanes import Lane

if TYPE_CHECKING:
    from services.context import AppContext

log = logging.getLogger(__name__)
MAX_TURN_ATTEMPTS = 3
"""A turn that fails this often (a bug, not an outage) is given up on, so later ones can run."""


BATCH = 20
"""Pending events of one conversation read at a time (a burst of one citizen's messages is
one query, not one per message)."""


def _pending(sessions: sessionmaker[Session], conversation: str,
             limit: int = BATCH) -> list[InboxEvent]:
    """The conversation's oldest pending events, oldest first."""
    with sessions() as db:
        rows = list(db.scalars(select(InboxEvent).where(
            InboxEvent.conversation == conversation, InboxEvent.status == "pending")
            .order_by(InboxEvent.created_at, InboxEvent.id).limit(limit)))
        for row in rows:
            db.expunge(row)
        return rows


def _handle(ctx: AppContext, row: InboxEvent) -> bool:
    """Run one recorded event's turn and hand its replies on; False when the turn failed."""
    from services.conversation.runner import turn  # the runner imports the inbox

    limited = over_limit(ctx.limiter, ctx.settings, row)
    if limited is not None:
        mark_limited(ctx.sessions, row, limited)
        return True
    try:
        event = decode_event(ctx.crypto.decrypt_json(row.event_enc))
        handled = turn(ctx, row.account_id, row.medium, event, row.conversation,
                       inbox_id=row.id)
    except Exception as exc:  # noqa: BLE001  any bug: count it, never lose or loop on the event
        log.error("turn for inbox %s failed: %s", row.id, type(exc).__name__)
        record_failure(ctx.sessions, row.id, MAX_TURN_ATTEMPTS)
        return False
    if handled.outbox_ids:
        ctx.dispatcher.enqueue(handled.outbox_ids, Lane.REPLY)
    if handled.notice_ids:
        ctx.dispatcher.enqueue(handled.notice_ids, Lane.NOTICE)
    if handled.media_ids:  # after the reply is on its way: a slow download delays no answer
        try:
            copy_all(ctx, handled.media_ids)
        except Exception as exc:  # noqa: BLE001  the rows stay pending: the sweeper copies them
            log.error("media copy after inbox %s failed: %s", row.id, type(exc).__name__)
    return True


def run_conversation(ctx: AppContext, conversation: str) -> int:
    """Handle the conversation's pending events in order; how many turns ran.

    Returns at once when another worker holds the conversation: that worker looks again for
    new events after letting go, so none is stranded.
    """
    handled = 0
    # reads outside a transaction where the database has them (PostgreSQL autocommit: one
    # round trip each, no BEGIN and ROLLBACK around it)
    reads = ctx.recording or ctx.sessions
    while True:
        with ctx.store.lease(conversation, ctx.settings.turn_lease_seconds) as lease:
            if not lease.held:
                return handled
            while True:
                rows = _pending(reads, conversation)
                for row in rows:
                    if not _handle(ctx, row):
                        return handled  # the sweeper retries it after a pause
                    handled += 1
                    lease.renew()
                if len(rows) < BATCH:  # what came meanwhile is found by the look below
                    break
        if not _pending(reads, conversation, limit=1):
            return handled


def due_conversations(sessions: sessionmaker[Session], min_age_seconds: float,
                      limit: int = 500) -> Sequence[str]:
    """Conversations with an event pending for a while (lost enqueue, dead worker, failure)."""
    before = utcnow() - timedelta(seconds=min_age_seconds)
    with sessions() as db:
        return db.scalars(select(InboxEvent.conversation)
                          .where(InboxEvent.status == "pending", InboxEvent.created_at <= before)
                          .group_by(InboxEvent.conversation)
                          .order_by(func.min(InboxEvent.created_at)).limit(limit)).all()


def purge(sessions: sessionmaker[Session], retention_days: float) -> int:
    """Forget handled events older than the retention (the message log keeps the record)."""
    before = utcnow() - timedelta(days=retention_days)
    with sessions() as db:
        result = db.execute(delete(InboxEvent).where(
            InboxEvent.status != "pending", InboxEvent.created_at < before))
        db.commit()
        return int(result.rowcount)  # type: ignore[attr-defined]
