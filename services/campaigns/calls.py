"""A campaign's voice calls: what a citizen hears when they answer a call a campaign placed.

A campaign send on a voice account (`twilio-voice`, `exotel-voice`) places a call like any
send; its outbox row keeps the call's id. When the citizen answers, the provider asks the
account's webhook what to play (services.voice.announce): `placed` finds the row by (account,
call id) and gives the message again — the campaign's text for the account in the row's
language, its variables filled, and the name of the city's recording for the campaign
(`recording_purpose`: `campaign.<name>`, `-` as `_`, uploaded with `nagarsetu voice-messages
upload --purpose campaign.water_cut`). How many times it was played is kept on the row.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from channels.contract import OutboundMessage
from services.campaigns.content import render, text_for, values
from services.campaigns.expand import opened
from services.campaigns.models import Campaign, CampaignSend
from services.security.crypto import Crypto

PLAYS = "announce_plays"
"""Key of `CampaignSend.extra`: how many times the call's message was played."""


@dataclass(frozen=True)
class CampaignCall:
    """A call a campaign placed, as the answering side needs it."""

    row_id: int
    tenant_id: str
    message: OutboundMessage
    contact_id: str | None
    plays: int
    recording: str
    """The voice-message purpose of the campaign's recording (played where one exists)."""


def recording_purpose(campaign: Campaign) -> str:
    """The voice-message purpose a campaign's recording is uploaded under."""
    return campaign.template_key.replace("-", "_")


def placed(db: Session, crypto: Crypto, account_id: str, call: str,
           to: str) -> CampaignCall | None:
    """The campaign send that placed this call on the account, or None."""
    row = db.scalar(select(CampaignSend).where(CampaignSend.account_id == account_id,
                                               CampaignSend.external_id == call))
    if row is None:
        return None
    campaign = db.get_one(Campaign, row.campaign_id)
    _, name, variables = opened(crypto, row.recipient_enc)
    language, text = text_for(campaign, account_id, row.language)
    message = OutboundMessage(to=to, text=render(text, values(name, variables)),
                              language=language, reference=f"c{row.id}")
    return CampaignCall(row.id, row.tenant_id, message, row.contact_id,
                        int((row.extra or {}).get(PLAYS, 0) or 0), recording_purpose(campaign))


def note_play(db: Session, row_id: int, plays: int) -> None:
    """Remember that the message was played `plays` times (not committed)."""
    row = db.get_one(CampaignSend, row_id)
    row.extra = {**(row.extra or {}), PLAYS: plays}
