"""Before sending: the rendered message per language, SMS encoding and segments, the cost per
channel from the configured prices, and how long the send will take at the rate limits.

`preview` reads the expanded campaign (recipients per language, one sample each); `dry_run`
renders and prices every recipient of an audience without writing or sending anything.
Costs are integer paise, priced as `services.messaging.prices` prices a send (SMS per segment;
WhatsApp templates outside the window).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from channels.contract import Medium
from channels.registry import adapter_class
from i18n.sms import sms_length
from services.accounts.models import ChannelAccount
from services.accounts.service import adapter_for
from services.campaigns.content import outbound, render, text_for, values
from services.campaigns.expand import opened
from services.campaigns.models import Campaign, CampaignSend
from services.campaigns.prepare import BULK_SHARE
from services.campaigns.recipients import Exclusions, Recipient, urn_hash
from services.campaigns.spec import CampaignError
from services.messaging.prices import price_of
from services.security.crypto import Crypto


@dataclass(frozen=True)
class LanguagePreview:
    """One language of the first channel: a sample rendered, its SMS form and the count."""

    language: str
    recipients: int
    text: str
    encoding: str | None
    segments: int | None
    price_paise: int


@dataclass(frozen=True)
class Estimate:
    """What sending the campaign would take."""

    recipients: int
    languages: list[LanguagePreview]
    cost_paise: dict[str, int]
    """By channel type; the first step only (fallbacks cost more when used)."""
    rate_per_second: float | None
    drain_seconds: float | None
    excluded: dict[str, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    """Recipients whose message could not be rendered, by code (dry run)."""


def _sample(campaign: Campaign, account: ChannelAccount, language: str, name: str,
            variables: Mapping[str, str]) -> tuple[str, str | None, int | None, int]:
    """The rendered text and its SMS encoding and segments (SMS channels)."""
    adapter = adapter_class(account.channel_type)
    used, text = text_for(campaign, account.id, language)
    filled = values(name, variables)
    body = adapter.render_text(outbound(campaign, "", used, render(text, filled), filled, ""))
    encoding = segments = None
    if adapter.medium is Medium.SMS:
        length = sms_length(body)
        encoding, segments = length.encoding.value, length.segments
    return body, encoding, segments, 0


def rate(db: Session, crypto: Crypto, campaign: Campaign) -> float | None:
    """Sends per second the campaign can reach on its first channel (None: unlimited)."""
    account = db.get_one(ChannelAccount, campaign.steps[0])
    per_account, _ = adapter_for(crypto, account).send_limits()
    rates: list[float] = [float(campaign.rate_cap)] if campaign.rate_cap else []
    if per_account is not None:
        rates.append(max(1, int(per_account.count * BULK_SHARE)) / per_account.seconds)
    return float(min(rates)) if rates else None


def preview(db: Session, crypto: Crypto, campaign: Campaign,
            prices: Mapping[str, int]) -> Estimate:
    """The expanded campaign: per language a sample and the count, cost and drain time."""
    account = db.get_one(ChannelAccount, campaign.steps[0])
    counts = db.execute(select(CampaignSend.language, func.count(), func.min(CampaignSend.id))
                        .where(CampaignSend.campaign_id == campaign.id,
                               CampaignSend.test.is_(False))
                        .group_by(CampaignSend.language)).all()
    languages = []
    cost = 0
    for language, count, first in sorted(counts):
        sample = db.get_one(CampaignSend, first)
        _, name, variables = opened(crypto, sample.recipient_enc)
        body, encoding, segments, _ = _sample(campaign, account, language, name, variables)
        unit = price_of(prices, account.channel_type, body, False)
        cost += unit * count
        languages.append(LanguagePreview(language, count, body, encoding, segments, unit))
    total = sum(count for _, count, _ in counts)
    per_second = rate(db, crypto, campaign)
    return Estimate(total, languages, {account.channel_type: cost}, per_second,
                    total / per_second if per_second else None, dict(campaign.excluded or {}))


def dry_run(db: Session, crypto: Crypto, campaign: Campaign, audience: Iterable[Recipient],
            exclusions: Exclusions, prices: Mapping[str, int]) -> Estimate:
    """Render, count and price every recipient of an audience; nothing written or sent."""
    account = db.get_one(ChannelAccount, campaign.steps[0])
    recipients = list(audience)
    hashes = [urn_hash(crypto, r.phone) for r in recipients]
    barred = exclusions.excluded(db, tenant_id=campaign.tenant_id, purpose=campaign.purpose,
                                 hashes=hashes)
    seen: set[str] = set()
    excluded: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    per_language: dict[str, LanguagePreview] = {}
    cost = 0
    for recipient, digest in zip(recipients, hashes, strict=True):
        if digest in seen:
            excluded["duplicate"] += 1
            continue
        seen.add(digest)
        if digest in barred:
            excluded[barred[digest]] += 1
            continue
        language = recipient.language or campaign.default_language
        try:
            body, encoding, segments, _ = _sample(campaign, account, language,
                                                  recipient.name, recipient.variables)
        except CampaignError as exc:
            errors[exc.code] += 1
            continue
        unit = price_of(prices, account.channel_type, body, False)
        cost += unit
        first = per_language.get(language)
        per_language[language] = (
            LanguagePreview(language, 1, body, encoding, segments, unit)
            if first is None else replace(first, recipients=first.recipients + 1))
    languages = [per_language[lang] for lang in sorted(per_language)]
    total = sum(p.recipients for p in languages)
    per_second = rate(db, crypto, campaign)
    return Estimate(total, languages, {account.channel_type: cost}, per_second,
                    total / per_second if per_second else None, dict(excluded), dict(errors))
