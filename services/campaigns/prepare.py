"""Turning a claimed batch into ready sends, inside the claim's short session.

Each row gets its step's account, its text in its language with its variables, the registered
template where the channel needs one, its price and its limiter buckets; a row that cannot be
built (no text for the channel, a template refused) carries the error instead. Rows whose
number opted out since the expansion are marked to be skipped. No provider is called here.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from channels.base import ChannelAdapter
from channels.contract import OutboundMessage, RateLimit
from services.accounts.models import ChannelAccount
from services.accounts.service import adapter_for, webhook_path
from services.campaigns.claims import Claimed
from services.campaigns.content import outbound, render, text_for, values
from services.campaigns.expand import opened
from services.campaigns.models import Campaign
from services.campaigns.templating import Templates
from services.contacts.models import Contact
from services.messaging.prices import price_of
from services.ratelimit.keys import account_key
from services.security.crypto import Crypto

BULK_SHARE = 0.9
"""Of an account's rate, what campaign sends may take: the rest is always left to replies."""


@dataclass(frozen=True)
class Bucket:
    """A limiter bucket a send takes one unit from."""

    key: str
    limit: RateLimit


@dataclass(frozen=True)
class Ready:
    """One row ready to go out (or the reason it cannot)."""

    held: Claimed
    account_id: str
    adapter: ChannelAdapter | None = None
    message: OutboundMessage | None = None
    callback: str = ""
    buckets: tuple[Bucket, ...] = ()
    price_paise: int = 0
    error: Exception | None = None
    skip: str | None = None
    """Why it is not sent at all (`opted_out`)."""


def buckets(campaign: Campaign, account_id: str, adapter: ChannelAdapter) -> tuple[Bucket, ...]:
    """The campaign's own cap, the bulk share of the account, then the account's whole rate."""
    found = []
    if campaign.rate_cap:
        found.append(Bucket(f"campaign:{campaign.id}", RateLimit(campaign.rate_cap)))
    per_account, _ = adapter.send_limits()
    if per_account is not None:
        share = max(1, int(per_account.count * BULK_SHARE))
        found.append(Bucket(f"bulk:{account_key(account_id)}",
                            RateLimit(share, per_account.seconds)))
        found.append(Bucket(account_key(account_id), per_account))
    return tuple(found)


def prepare(db: Session, crypto: Crypto, campaign: Campaign, batch: list[Claimed],
            *, base_url: str, prices: dict[str, int], templates: Templates) -> list[Ready]:
    """The batch's sends, built with the session open."""
    accounts = {a.id: a for a in db.scalars(select(ChannelAccount).where(
        ChannelAccount.id.in_(campaign.steps)))}
    stopped = set(db.scalars(select(Contact.urn_hash).where(
        Contact.tenant_id == campaign.tenant_id, Contact.opted_out.is_(True),
        Contact.urn_hash.in_([held.address_hash for held in batch]))))
    limits: dict[str, tuple[ChannelAdapter, tuple[Bucket, ...]]] = {}
    ready = []
    for held in batch:
        account_id = campaign.steps[min(held.step, len(campaign.steps) - 1)]
        if held.address_hash in stopped:
            ready.append(Ready(held, account_id, skip="opted_out"))
            continue
        try:
            account = accounts[account_id]
            if account_id not in limits:
                adapter = adapter_for(crypto, account)
                limits[account_id] = adapter, buckets(campaign, account_id, adapter)
            adapter, found = limits[account_id]
            phone, name, variables = opened(crypto, held.recipient_enc)
            language, text = text_for(campaign, account_id, held.language)
            filled = values(name, variables)
            message = outbound(campaign, phone, language, render(text, filled), filled,
                               f"c{held.id}")
            message = templates.apply(db, account, message)
            price = price_of(prices, account.channel_type, adapter.render_text(message), False)
            ready.append(Ready(held, account_id, adapter, message,
                               base_url + webhook_path(account, "status"), found, price))
        except Exception as exc:  # noqa: BLE001 - recorded on the row by the sender
            ready.append(Ready(held, account_id, error=exc))
    return ready
