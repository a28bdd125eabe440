"""A running campaign is done when nothing is left to send or waiting for a fallback.

Waiting for a fallback: a row sent on a step with a next one, within the campaign's
`fallback_seconds`; and a call placed on a voice step with a next one, until its outcome is
known (answered is delivered; busy, no answer or failed move it on) or `CALL_OUTCOME_SECONDS`
passed (the ring time is 30 s), so a busy line still reaches the next step.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from channels.contract import Medium
from channels.registry import adapter_class
from services.accounts.models import ChannelAccount
from services.campaigns.models import Campaign, CampaignSend
from services.campaigns.spec import Status

CALL_OUTCOME_SECONDS = 120
"""How long a placed call may stay without an outcome before the campaign stops waiting."""


def call_steps(db: Session, campaign: Campaign) -> list[int]:
    """The campaign's voice steps that have a next step."""
    types = {a: kind for a, kind in db.execute(select(
        ChannelAccount.id, ChannelAccount.channel_type).where(
        ChannelAccount.id.in_(campaign.steps)))}
    return [i for i, a in enumerate(campaign.steps[:-1])
            if a in types and adapter_class(types[a]).medium is Medium.VOICE]


def open_rows(db: Session, campaign: Campaign, now: datetime) -> bool:
    """Whether any row may still be sent: pending, in flight, or sent and awaiting fallback."""
    live: ColumnElement[bool] = CampaignSend.status.in_(("pending", "sending"))
    if campaign.fallback_seconds and len(campaign.steps) > 1:
        waiting = and_(CampaignSend.status == "sent",
                       CampaignSend.step < len(campaign.steps) - 1,
                       CampaignSend.sent_at >= now - timedelta(seconds=campaign.fallback_seconds))
        live = or_(live, waiting)
    calls = call_steps(db, campaign)
    if calls:
        ringing = and_(CampaignSend.status == "sent", CampaignSend.step.in_(calls),
                       CampaignSend.sent_at >= now - timedelta(seconds=CALL_OUTCOME_SECONDS))
        live = or_(live, ringing)
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
