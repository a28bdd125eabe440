"""Delivery status callbacks for campaign sends: the row moves forward, or falls back.

The provider's id (`external_id`) of a campaign send is on its outbox row (no message log row
exists for it); a callback that names none is not a campaign's and changes nothing here. The
messaging webhooks and the voice webhooks (services.voice.answer: a call answered or
completed is delivered; busy, no answer, failed are failures) both apply them here. A row
moved to its next step clears the campaign's progress mark, so the tick sends it at once.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session

from channels.contract import DeliveryStatus, StatusUpdate
from services.accounts.models import ChannelAccount
from services.campaigns.fallback import next_step
from services.campaigns.models import Campaign, CampaignSend

_RANK = {"sent": 2, "delivered": 3, "read": 4}


def apply_campaign_status(db: Session, account: ChannelAccount, update: StatusUpdate) -> bool:
    """Move a campaign row's status forward (late or repeated callbacks are no-ops); a
    failure moves it to its next step where there is one. The caller commits."""
    row = db.scalar(select(CampaignSend).where(CampaignSend.account_id == account.id,
                                               CampaignSend.external_id == update.external_id))
    if row is None or row.status not in _RANK:
        return False
    if update.status is DeliveryStatus.FAILED:
        steps = db.scalar(select(Campaign.steps).where(Campaign.id == row.campaign_id)) or []
        following = next_step(row.step, len(steps))
        row.error = update.error_code or "failed"
        if following is None:
            row.status = "failed"
        else:
            row.status, row.step, row.fallen_back = "pending", following, True
            row.external_id, row.due_at, row.claimed_at = None, None, None
            db.execute(sql_update(Campaign).where(Campaign.id == row.campaign_id)
                       .values(progress_at=None)  # the tick sends it at its next sweep
                       .execution_options(synchronize_session=False))
        return True
    rank = _RANK.get(update.status.value)
    if rank is None or rank <= _RANK[row.status]:
        return False
    row.status = update.status.value
    return True
