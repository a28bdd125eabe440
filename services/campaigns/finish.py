"""A running campaign is done when nothing is left to send or waiting for a fallback."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from services.campaigns.models import Campaign, CampaignSend
from services.campaigns.spec import Status


def open_rows(db: Session, campaign: Campaign, now: datetime) -> bool:
    """Whether any row may still be sent: pending, in flight, or sent and awaiting fallback."""
    live: ColumnElement[bool] = CampaignSend.status.in_(("pending", "sending"))
    if campaign.fallback_seconds and len(campaign.steps) > 1:
        waiting = and_(CampaignSend.status == "sent",
                       CampaignSend.step < len(campaign.steps) - 1,
                       CampaignSend.sent_at >= now - timedelta(seconds=campaign.fallback_seconds))
        live = or_(live, waiting)
    return bool(db.scalar(select(exists().where(
        CampaignSend.campaign_id == campaign.id, CampaignSend.test.is_(False), live))))


def maybe_finish(db: Session, campaign_id: str, now: datetime) -> bool:
    """Mark a running campaign done when nothing is left (a conditional UPDATE); commits."""
    campaign = db.get(Campaign, campaign_id)
    if campaign is None or campaign.status != Status.RUNNING or open_rows(db, campaign, now):
        db.rollback()
        return False
    result = db.execute(update(Campaign).where(Campaign.id == campaign_id,
                                               Campaign.status == Status.RUNNING.value)
                        .values(status=Status.DONE.value, finished_at=now)
                        .execution_options(synchronize_session=False))
    db.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]
