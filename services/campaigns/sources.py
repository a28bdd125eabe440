"""A campaign's audience from an uploaded CSV or a query, expanded into its outbox.

The staff API and the CLI both come here. The CSV is read by `audience.parse_csv` (numbers
in E.164, refused rows with their line numbers); the queries are `audience.ward_contacts`,
`bills_due` and `grievance_filers`. `audience.resolve` adds what the gateway knows of each
recipient (contact, language, the medium they last used among the campaign's steps) without
judging consent: the expansion does that with the campaign's exclusions
(`recipients.exclusions_for`) and counts it on the campaign, so one rule and one count hold
for every source. Nothing is dropped silently: refused rows are listed (the first
`MAX_LISTED`, all of them counted by code), duplicates counted.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.accounts.models import ChannelAccount
from services.campaigns import control
from services.campaigns.audience import (
    AudienceError,
    AudienceSummary,
    Code,
    RowError,
    bills_due,
    grievance_filers,
    parse_csv,
    resolve,
    ward_contacts,
)
from services.campaigns.expand import Expanded
from services.campaigns.models import Campaign
from services.campaigns.recipients import Recipient, exclusions_for
from services.campaigns.spec import CampaignError
from services.security.crypto import Crypto

MAX_LISTED = 10_000
"""Refused rows listed one by one in an answer; beyond that they are counted only."""
HEADER_CODES = frozenset({Code.EMPTY, Code.NO_PHONE_COLUMN, Code.DUPLICATE_COLUMN,
                          Code.TOO_MANY_VARIABLES})
QUERIES = ("ward", "bills_due", "grievances")


@dataclass
class Added:
    """What adding an audience did."""

    written: int
    excluded: dict[str, int]
    """Left out at expansion: `opted_out`, `no_consent`, `duplicate` (of an earlier upload)."""
    total: int
    summary: AudienceSummary
    errors: list[RowError] = field(default_factory=list)
    """Refused rows in file order (the first `MAX_LISTED`)."""

    @property
    def duplicates(self) -> int:
        """Repeated numbers: within the file, and of recipients added before."""
        return self.summary.duplicates + self.excluded.get("duplicate", 0)

    def as_dict(self) -> dict[str, object]:
        """The answer of the API (and the CLI's figures)."""
        refused = sum(self.summary.errors.values())
        return {"written": self.written, "excluded": self.excluded, "total": self.total,
                "rows": self.summary.rows, "duplicates": self.duplicates,
                "refused": refused, "refused_by_code": dict(self.summary.errors),
                "errors": [{"line": e.line, "code": e.code, "detail": e.detail}
                           for e in self.errors],
                "errors_listed": len(self.errors), "blank_lines": self.summary.blank_lines,
                "known": self.summary.known}


def _channels(db: Session, campaign: Campaign) -> list[str]:
    """The channel types of the campaign's steps, in order."""
    types = {a: kind for a, kind in db.execute(select(ChannelAccount.id,
                                                      ChannelAccount.channel_type).where(
        ChannelAccount.id.in_(campaign.steps)))}
    return [types[a] for a in campaign.steps if a in types]


def _expand(db: Session, crypto: Crypto, campaign: Campaign,
            items: Iterable[Recipient | RowError], summary: AudienceSummary,
            resolved: bool = False) -> Added:
    """Resolve (unless the query did) and expand; refused rows collected on the way."""
    offered = _channels(db, campaign)
    errors: list[RowError] = []
    known = items if resolved else resolve(
        db, crypto, tenant_id=campaign.tenant_id, items=items, purpose=campaign.purpose,
        default_channel=offered[0], offered=offered, summary=summary, judge=False)

    def recipients() -> Iterator[Recipient]:
        for item in known:
            if isinstance(item, RowError):
                if len(errors) < MAX_LISTED:
                    errors.append(item)
            else:
                yield item

    done: Expanded = control.add_audience(db, crypto, campaign, recipients(),
                                          exclusions_for(db, crypto, campaign.steps))
    return Added(done.written, done.excluded, campaign.total, summary, errors)


def from_csv(db: Session, crypto: Crypto, campaign: Campaign, lines: Iterable[str]) -> Added:
    """Add an uploaded CSV's recipients (not committed). A header that cannot be used is
    refused with its code (`CampaignError`, 422): nothing else was read."""
    if campaign.status != "draft":
        raise CampaignError("invalid_state")
    summary = AudienceSummary()
    added = _expand(db, crypto, campaign, parse_csv(lines, summary=summary), summary)
    header = [e for e in added.errors if e.line == 1 and e.code in HEADER_CODES]
    if header and summary.rows == 0:
        raise CampaignError(header[0].code, 422, "line 1")
    return added


def from_query(db: Session, crypto: Crypto, campaign: Campaign, source: str, *,
               ward: str | None = None, category: str | None = None,
               within_days: int | None = None, service: str | None = None,
               today: date | None = None) -> Added:
    """Add the recipients of a query (not committed): `ward` (its contacts), `bills_due`
    (unpaid bills due within `within_days` of `today`), `grievances` (filers of open
    grievances in `category`). Unknown ward or category: `CampaignError` 422 with its code."""
    if campaign.status != "draft":
        raise CampaignError("invalid_state")
    summary = AudienceSummary()
    offered = _channels(db, campaign)
    tenant, purpose, first = campaign.tenant_id, campaign.purpose, offered[0]
    try:
        if source == "ward" and ward:
            found: Iterable[Recipient] = ward_contacts(
                db, crypto, tenant_id=tenant, ward=ward, purpose=purpose,
                default_channel=first, offered=offered, summary=summary, judge=False)
        elif source == "grievances" and category:
            found = grievance_filers(
                db, crypto, tenant_id=tenant, category=category, purpose=purpose,
                default_channel=first, offered=offered, summary=summary, judge=False)
        elif source == "bills_due" and within_days is not None and today is not None:
            found = bills_due(
                db, crypto, tenant_id=tenant, within_days=within_days, today=today,
                purpose=purpose, default_channel=first, offered=offered, service=service,
                summary=summary, judge=False)
        else:
            raise CampaignError("invalid_query", 422, source)
        return _expand(db, crypto, campaign, found, summary, resolved=True)
    except AudienceError as exc:
        raise CampaignError(exc.code, 422) from None
