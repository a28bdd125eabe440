"""Claiming campaign outbox rows a batch at a time, and settling them under the claim.

A claim is one UPDATE over the next rows of a campaign (`FOR UPDATE SKIP LOCKED` on
PostgreSQL, so parallel senders take different rows; SQLite's write lock serialises them). A
row still `sending` past the in-flight window belonged to a sender that died: it is taken
over and its `takeovers` counted, because the dead sender may have sent it (the report shows
these as possible duplicates). Results are written only where the claim time still matches.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, or_, select, update
from sqlalchemy.orm import Session

from services.campaigns.models import CampaignSend
from services.db.base import aware
from services.db.engine import relax_commit

T = cast(Table, CampaignSend.__table__)


@dataclass(frozen=True)
class Claimed:
    """One row held by this sender."""

    id: int
    claimed_at: datetime
    step: int
    language: str
    recipient_enc: str
    address_hash: str
    attempts: int
    takeovers: int


def claim(db: Session, campaign_id: str, now: datetime, inflight_seconds: float, size: int,
          *, test: bool = False) -> list[Claimed]:
    """Take up to `size` due rows (crashed senders' first) and commit."""
    stale = now - timedelta(seconds=inflight_seconds)
    base = and_(CampaignSend.campaign_id == campaign_id, CampaignSend.test.is_(test))
    found: list[Claimed] = []
    for taken_over, due in (
            (True, and_(CampaignSend.status == "sending", CampaignSend.claimed_at < stale)),
            (False, and_(CampaignSend.status == "pending",
                         or_(CampaignSend.due_at.is_(None), CampaignSend.due_at <= now)))):
        want = size - len(found)
        if want <= 0:
            break
        ids = (select(CampaignSend.id).where(base, due).order_by(CampaignSend.id).limit(want)
               .with_for_update(skip_locked=True).scalar_subquery())
        relax_commit(db)
        rows = db.execute(
            update(CampaignSend).where(CampaignSend.id.in_(ids))
            .values(status="sending", claimed_at=now, attempts=CampaignSend.attempts + 1,
                    takeovers=CampaignSend.takeovers + (1 if taken_over else 0))
            .returning(CampaignSend.id, CampaignSend.claimed_at, CampaignSend.step,
                       CampaignSend.language, CampaignSend.recipient_enc,
                       CampaignSend.address_hash, CampaignSend.attempts,
                       CampaignSend.takeovers)
            .execution_options(synchronize_session=False)).all()
        found += [Claimed(r[0], aware(r[1]) if r[1] else now, r[2], r[3], r[4], r[5], r[6],
                          r[7]) for r in rows]
    db.commit()
    return sorted(found, key=lambda c: c.id)


def settle(db: Session, results: Sequence[tuple[Claimed, dict[str, Any]]]) -> int:
    """Write each row's outcome where its claim still holds (one executemany); rows written."""
    if not results:
        return 0
    names = sorted({name for _, values in results for name in values})
    params = []
    for held, values in results:
        row: dict[str, Any] = {name: values.get(name, _KEEP) for name in names}
        params.append({"row_id": held.id, "token": held.claimed_at,
                       **{f"v_{n}": v for n, v in row.items()}})
    written = 0
    for shape, group in _by_shape(names, params).items():
        statement = (update(T).where(T.c.id == bindparam("row_id"),
                                     T.c.status == "sending",
                                     T.c.claimed_at == bindparam("token"))
                     .values({n: bindparam(f"v_{n}") for n in shape}))
        result = db.execute(statement, group)
        written += result.rowcount  # type: ignore[attr-defined]
    return written


class _Keep:
    """Marks a column a result leaves as it is."""


_KEEP = _Keep()


def _by_shape(names: Sequence[str], params: list[dict[str, Any]]
              ) -> dict[tuple[str, ...], list[dict[str, Any]]]:
    """Group parameter sets by the columns they change (an executemany needs one shape)."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for p in params:
        shape = tuple(n for n in names if p[f"v_{n}"] is not _KEEP)
        clean = {k: v for k, v in p.items() if v is not _KEEP}
        groups.setdefault(shape, []).append(clean)
    return groups
