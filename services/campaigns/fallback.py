"""Fallback per recipient: the next channel when the first failed or stayed undelivered.

A row moves to its campaign's next step (e.g. WhatsApp, then SMS, then a voice call) when a
send fails for good on its channel, when a status callback reports it failed, or when it was
sent but not delivered within the campaign's `fallback_seconds`. It is counted `fallen_back`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from services.campaigns.models import Campaign, CampaignSend


def next_step(step: int, steps: int) -> int | None:
    """The step after `step`, or None when it was the last."""
    return step + 1 if step + 1 < steps else None


def overdue(db: Session, campaign: Campaign, now: datetime) -> int:
    """Sent but undelivered past the campaign's fallback time: on to the next step. Commits
    nothing; the number of rows moved."""
    if not campaign.fallback_seconds or len(campaign.steps) < 2:
        return 0
    before = now - timedelta(seconds=campaign.fallback_seconds)
    result = db.execute(
        update(CampaignSend)
        .where(CampaignSend.campaign_id == campaign.id, CampaignSend.status == "sent",
               CampaignSend.step < len(campaign.steps) - 1, CampaignSend.sent_at < before)
        .values(status="pending", step=CampaignSend.step + 1, fallen_back=True,
                error="undelivered", external_id=None, due_at=None, claimed_at=None)
        .execution_options(synchronize_session=False))
    return int(result.rowcount)  # type: ignore[attr-defined]
