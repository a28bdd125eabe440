"""Staff operations on a campaign: create, submit, approve, start, pause, resume, cancel, abort.

Each is a conditional UPDATE from the states it is allowed from (two staff members pressing at
once: one wins, the other gets `invalid_state`), audited in the same transaction. Senders read
the state before each batch and every quarter second, so a pause, cancel or abort takes effect
within a second; cancel and abort also mark every row not yet sent `cancelled` at once.
A campaign above its city's threshold needs a second staff member's approval to start.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.accounts.models import ChannelAccount
from services.audit.record import record
from services.campaigns.content import fields
from services.campaigns.expand import Expanded, expand
from services.campaigns.models import Campaign, CampaignPolicy, CampaignSend
from services.campaigns.recipients import Exclusions, Recipient
from services.campaigns.spec import TRANSITIONS, CampaignError, Purpose, Status
from services.security.crypto import Crypto
from services.templates.service import scopes

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


@dataclass(frozen=True)
class Draft:
    """What staff give to create a campaign."""

    name: str
    purpose: str
    steps: Sequence[str]
    content: Mapping[str, Mapping[str, str]]
    default_language: str = "en"
    fallback_seconds: int | None = None
    rate_cap: int | None = None
    scheduled_at: datetime | None = None


def create(db: Session, *, tenant_id: str, draft: Draft, actor: str) -> Campaign:
    """A new draft campaign, checked (not committed)."""
    if not _NAME.match(draft.name):
        raise CampaignError("invalid_name", 422)
    if draft.purpose not in set(Purpose):
        raise CampaignError("invalid_purpose", 422)
    if not draft.steps or len(set(draft.steps)) != len(draft.steps):
        raise CampaignError("invalid_steps", 422)
    accounts = {a.id: a for a in db.scalars(select(ChannelAccount).where(
        ChannelAccount.id.in_(list(draft.steps))))}
    for account_id in draft.steps:
        account = accounts.get(account_id)
        if account is None or account.tenant_id not in scopes(tenant_id) or not account.active:
            raise CampaignError("unknown_account", 422, account_id)
        texts = draft.content.get(account_id) or {}
        if draft.default_language not in texts:
            raise CampaignError("content_missing", 422, f"{account_id}/{draft.default_language}")
        for text in texts.values():
            fields(text)
    if draft.rate_cap is not None and draft.rate_cap < 1:
        raise CampaignError("invalid_rate_cap", 422)
    campaign = Campaign(tenant_id=tenant_id, name=draft.name, purpose=draft.purpose,
                        template_key=f"campaign.{draft.name}", steps=list(draft.steps),
                        content={k: dict(v) for k, v in draft.content.items()},
                        default_language=draft.default_language,
                        fallback_seconds=draft.fallback_seconds, rate_cap=draft.rate_cap,
                        scheduled_at=draft.scheduled_at, created_by=actor,
                        status=Status.DRAFT.value, total=0, excluded={})
    db.add(campaign)
    db.flush()
    record(db, tenant_id=tenant_id, actor=actor, entity="campaign", key=campaign.id,
           action="create", after={"name": draft.name, "purpose": draft.purpose})
    return campaign


def add_audience(db: Session, crypto: Crypto, campaign: Campaign, audience: Iterable[Recipient],
                 exclusions: Exclusions) -> Expanded:
    """Expand recipients into the campaign outbox (drafts only; not committed)."""
    if campaign.status != Status.DRAFT:
        raise CampaignError("invalid_state")
    return expand(db, crypto, campaign, audience, exclusions)


def threshold(db: Session, tenant_id: str, default: int) -> int:
    """The recipients above which a second approver is needed: the city's, its state's, or
    the deployment's."""
    rows = {p.tenant_id: p.approval_threshold for p in db.scalars(
        select(CampaignPolicy).where(CampaignPolicy.tenant_id.in_(scopes(tenant_id))))}
    return next((rows[s] for s in scopes(tenant_id) if s in rows), default)


def set_threshold(db: Session, *, tenant_id: str, value: int, actor: str) -> None:
    """Set a tenant's approval threshold, audited (not committed)."""
    if value < 0:
        raise CampaignError("invalid_threshold", 422)
    row = db.get(CampaignPolicy, tenant_id)
    before = {"approval_threshold": row.approval_threshold} if row else None
    if row is None:
        row = CampaignPolicy(tenant_id=tenant_id, approval_threshold=value)
        db.add(row)
    row.approval_threshold = value
    record(db, tenant_id=tenant_id, actor=actor, entity="campaign_policy", key=tenant_id,
           action="update" if before else "create", before=before,
           after={"approval_threshold": value})


def act(db: Session, campaign: Campaign, action: str, *, actor: str, now: datetime,
        default_threshold: int = 10_000) -> Campaign:
    """Apply one staff action (not committed); CampaignError when it is not allowed now."""
    allowed, target = TRANSITIONS[action]
    if campaign.status not in allowed:
        raise CampaignError("invalid_state")
    values: dict[str, object] = {"status": target.value}
    if action == "submit":
        if campaign.total == 0:
            raise CampaignError("empty_audience", 422)
        if campaign.total > threshold(db, campaign.tenant_id, default_threshold):
            values["status"] = Status.AWAITING_APPROVAL.value
    elif action == "approve":
        if actor == campaign.created_by:
            raise CampaignError("second_approver_required", 403)
        values["approved_by"] = actor
    elif action == "start":
        values["started_at"] = now
        values["progress_at"] = None
    elif action in ("cancel", "abort"):
        values["finished_at"] = now
    before = campaign.status
    result = db.execute(update(Campaign).where(Campaign.id == campaign.id,
                                               Campaign.status == before)
                        .values(**values).execution_options(synchronize_session=False))
    if not result.rowcount:  # type: ignore[attr-defined]
        raise CampaignError("invalid_state")
    if action in ("cancel", "abort"):
        db.execute(update(CampaignSend).where(CampaignSend.campaign_id == campaign.id,
                                              CampaignSend.status == "pending")
                   .values(status="cancelled").execution_options(synchronize_session=False))
    record(db, tenant_id=campaign.tenant_id, actor=actor, entity="campaign", key=campaign.id,
           action=action, before={"status": before}, after={"status": values["status"]})
    db.refresh(campaign)
    return campaign


def test_send(db: Session, crypto: Crypto, campaign: Campaign, staff: Iterable[Recipient],
              *, actor: str) -> Expanded:
    """Queue the campaign's message to a staff list, as test rows (any state before done;
    not committed). A later test send replaces earlier test rows not yet sent."""
    if campaign.status in (Status.DONE, Status.CANCELLED, Status.ABORTED):
        raise CampaignError("invalid_state")
    db.execute(update(CampaignSend).where(
        CampaignSend.campaign_id == campaign.id, CampaignSend.test.is_(True),
        CampaignSend.status == "pending").values(status="cancelled")
        .execution_options(synchronize_session=False))
    done = db.scalars(select(CampaignSend.address_hash).where(
        CampaignSend.campaign_id == campaign.id, CampaignSend.test.is_(True))).all()
    salt = f"test:{len(done)}:"
    written = expand(db, crypto, campaign, staff, _NoExclusions(), test=True, salt=salt)
    record(db, tenant_id=campaign.tenant_id, actor=actor, entity="campaign", key=campaign.id,
           action="test_send", after={"recipients": written.written})
    return written


class _NoExclusions:
    """Staff chose to receive a test: nobody is left out."""

    def excluded(self, db: Session, *, tenant_id: str, purpose: str,
                 hashes: Sequence[str]) -> Mapping[str, str]:
        """Nobody."""
        return {}
