"""Live counters and the final report of a campaign, read from its outbox rows.

Counters are a GROUP BY over the campaign's rows (its index leads with the campaign and the
status), so they are always what the rows say: status callbacks move rows, and the counters
follow. The report lists every row: who was sent to, on which step, with what outcome, and
whether the row was taken over from a sender that died (a possible duplicate).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.campaigns.expand import opened
from services.campaigns.models import Campaign, CampaignSend
from services.security.crypto import Crypto

SENT = ("sent", "delivered", "read")


@dataclass(frozen=True)
class Counters:
    """Where a campaign's recipients are now."""

    total: int
    queued: int
    in_flight: int
    sent: int
    """Accepted by a provider (delivered and read included)."""
    delivered: int
    """Delivered or read."""
    read: int
    failed: dict[str, int] = field(default_factory=dict)
    """Failed for good, by reason."""
    cancelled: int = 0
    opted_out: int = 0
    """Excluded at expansion plus skipped since (said STOP meanwhile)."""
    no_consent: int = 0
    """Excluded at expansion: consent withheld for the purpose on a medium of the campaign."""
    fallen_back: int = 0
    possible_duplicates: int = 0
    """Rows a sender died holding and another sent again: at most this many got two."""
    excluded: dict[str, int] = field(default_factory=dict)


def counters(db: Session, campaign: Campaign) -> Counters:
    """The campaign's live figures (test sends not counted)."""
    rows = db.execute(
        select(CampaignSend.status, CampaignSend.error, func.count(),
               func.sum(func.cast(CampaignSend.fallen_back, type_=CampaignSend.attempts.type)),
               func.sum(CampaignSend.takeovers))
        .where(CampaignSend.campaign_id == campaign.id, CampaignSend.test.is_(False))
        .group_by(CampaignSend.status, CampaignSend.error)).all()
    by: dict[str, int] = {}
    failed: dict[str, int] = {}
    fallen = duplicates = 0
    for status, error, count, fell, takeovers in rows:
        by[status] = by.get(status, 0) + count
        fallen += int(fell or 0)
        duplicates += int(takeovers or 0)
        if status == "failed":
            failed[error or "failed"] = failed.get(error or "failed", 0) + count
    excluded = dict(campaign.excluded or {})
    return Counters(
        total=campaign.total, queued=by.get("pending", 0), in_flight=by.get("sending", 0),
        sent=sum(by.get(s, 0) for s in SENT), delivered=by.get("delivered", 0) + by.get("read", 0),
        read=by.get("read", 0), failed=failed, cancelled=by.get("cancelled", 0),
        opted_out=excluded.get("opted_out", 0) + by.get("skipped", 0),
        no_consent=excluded.get("no_consent", 0), fallen_back=fallen,
        possible_duplicates=duplicates, excluded=excluded)


COLUMNS = ("row", "phone", "name", "language", "channel_step", "account", "status", "error",
           "attempts", "fallen_back", "possible_duplicate", "sent_at")


def report_lines(db: Session, crypto: Crypto, campaign: Campaign,
                 page: int = 5000) -> Iterator[str]:
    """The report as CSV lines (a header, then a row per recipient in id order)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def take() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(COLUMNS)
    yield take()
    after = 0
    while True:
        rows = db.scalars(select(CampaignSend).where(
            CampaignSend.campaign_id == campaign.id, CampaignSend.test.is_(False),
            CampaignSend.id > after).order_by(CampaignSend.id).limit(page)).all()
        if not rows:
            return
        for row in rows:
            phone, name, _ = opened(crypto, row.recipient_enc)
            writer.writerow((row.id, phone, name, row.language, row.step, row.account_id or "",
                             row.status, row.error or "", row.attempts,
                             int(row.fallen_back), int(row.takeovers > 0),
                             row.sent_at.isoformat() if row.sent_at else ""))
        after = rows[-1].id
        yield take()
