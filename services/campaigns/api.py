"""Staff API for campaigns: create, add recipients, preview, dry run, test send, act, follow,
report. Reading needs any role in scope; changing needs an officer or admin.

Errors answer `{"detail": {"code": ...}}`: 401 `unauthenticated`, 403 `forbidden_tenant` /
`forbidden_role` / `second_approver_required`, 404 `not_found`, 409 `invalid_state`,
422 with a code (`invalid_name`, `unknown_account`, `content_missing`, `missing_variable` …).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from services.campaigns import control, estimate, report, sources
from services.campaigns.models import Campaign
from services.campaigns.recipients import Recipient, exclusions_for
from services.campaigns.spec import TRANSITIONS, CampaignError
from services.campaigns.wiring import runner_for
from services.contacts.service import normalize_phone
from services.db.base import IST, utcnow
from services.messaging.prices import price_table
from services.staff.auth import Principal
from services.web.admin import error, readable
from services.web.deps import CtxDep, DbDep, StaffDep
from services.web.errors import API_RESPONSES

router = APIRouter(prefix="/api/v1/campaigns", tags=["campaigns"], responses=API_RESPONSES)
Short = Annotated[str, Field(max_length=100)]


class CampaignIn(BaseModel):
    """A new campaign: content per account id and language, `{name}`/`{variable}` filled."""

    tenant: Annotated[str, Field(max_length=64)]
    name: Annotated[str, Field(max_length=63)]
    purpose: Annotated[str, Field(max_length=20)]
    steps: Annotated[list[Annotated[str, Field(max_length=32)]], Field(min_length=1,
                                                                       max_length=3)]
    content: dict[Annotated[str, Field(max_length=32)],
                  dict[Annotated[str, Field(max_length=8)], Annotated[str, Field(max_length=2000)]]]
    default_language: Annotated[str, Field(max_length=8)] = "en"
    fallback_seconds: Annotated[int, Field(ge=60, le=7 * 86400)] | None = None
    rate_cap: Annotated[int, Field(ge=1, le=100_000)] | None = None
    scheduled_at: datetime | None = None
    """ISO 8601; a time without an offset is read as IST."""


class RecipientIn(BaseModel):
    """One recipient as the API takes them (the CSV upload is services.campaigns.audience)."""

    phone: Annotated[str, Field(max_length=32)]
    language: Annotated[str, Field(max_length=8)] = "en"
    name: Annotated[str, Field(max_length=100)] = ""
    variables: dict[Annotated[str, Field(max_length=40)],
                    Annotated[str, Field(max_length=200)]] = Field(default_factory=dict)
    channel: Annotated[str, Field(max_length=16)] | None = None
    """A medium they are known to use (sms, whatsapp, voice …): they start on it."""


class RecipientsIn(BaseModel):
    """A batch of recipients."""

    recipients: Annotated[list[RecipientIn], Field(max_length=10_000)]


class AudienceQueryIn(BaseModel):
    """A query over what the gateway knows: `ward` (citizens who filed a grievance in the
    ward), `bills_due` (owners of unpaid bills due within `within_days`, optionally of one
    `service`), `grievances` (filers of open grievances in `category`)."""

    source: Literal["ward", "bills_due", "grievances"]
    ward: Short | None = None
    category: Short | None = None
    within_days: Annotated[int, Field(ge=0, le=366)] | None = None
    service: Short | None = None


CSV_BODY: dict[str, Any] = {"requestBody": {
    "required": True, "description": "the audience: a header row naming a phone column "
    "(`phone`, `mobile`…), optional `language` and `name`; other columns are variables",
    "content": {"text/csv": {"schema": {"type": "string"}}}}}


async def csv_body(request: Request) -> bytes:
    """The raw request body (the body limit has already bounded it)."""
    return await request.body()


class CampaignOut(BaseModel):
    """A campaign and its live counters."""

    id: str
    tenant: str
    name: str
    purpose: str
    status: str
    total: int
    scheduled_at: datetime | None
    created_by: str
    approved_by: str | None
    counters: dict[str, Any]


def _out(db: DbDep, row: Campaign) -> CampaignOut:
    """The response model of a campaign."""
    return CampaignOut(id=row.id, tenant=row.tenant_id, name=row.name, purpose=row.purpose,
                       status=row.status, total=row.total, scheduled_at=row.scheduled_at,
                       created_by=row.created_by, approved_by=row.approved_by,
                       counters=report.counters(db, row).__dict__)


def _refused(exc: CampaignError) -> HTTPException:
    """A campaign refusal as an API error with its code."""
    detail: dict[str, Any] = {"code": exc.code}
    if exc.detail:
        detail["fields"] = [exc.detail]
    return HTTPException(exc.status, detail=detail)


def _campaign(db: DbDep, staff: Principal, campaign_id: str, change: bool = False) -> Campaign:
    """A campaign the key's scope covers; 404 for any other (even when it exists)."""
    row = db.get(Campaign, campaign_id[:32])
    if row is None or not staff.covers(row.tenant_id):
        raise error("not_found", 404)
    if change and not staff.can_act():
        raise error("forbidden_role", 403)
    return row


def _recipients(body: RecipientsIn) -> list[Recipient]:
    """The batch as recipients, numbers in E.164."""
    return [Recipient(normalize_phone(r.phone), r.language, r.name, dict(r.variables),
                      channel=r.channel) for r in body.recipients]


@router.post("", status_code=201)
def create(body: CampaignIn, db: DbDep, staff: StaffDep) -> CampaignOut:
    """Create a draft campaign."""
    readable(db, staff, body.tenant)
    if not staff.can_act():
        raise error("forbidden_role", 403)
    draft = control.Draft(body.name, body.purpose, body.steps, body.content,
                          body.default_language, body.fallback_seconds, body.rate_cap,
                          body.scheduled_at)
    try:
        row = control.create(db, tenant_id=body.tenant, draft=draft, actor=_approver(staff))
    except CampaignError as exc:
        raise _refused(exc) from None
    db.commit()
    return _out(db, row)


@router.post("/{campaign_id}/recipients")
def add_recipients(campaign_id: str, body: RecipientsIn, ctx: CtxDep, db: DbDep,
                   staff: StaffDep) -> dict[str, Any]:
    """Add recipients to a draft (opted-out, non-consenting and duplicate numbers left out
    and counted)."""
    row = _campaign(db, staff, campaign_id, change=True)
    try:
        done = control.add_audience(db, ctx.crypto, row, _recipients(body),
                                    exclusions_for(db, ctx.crypto, row.steps))
    except CampaignError as exc:
        raise _refused(exc) from None
    db.commit()
    return {"written": done.written, "excluded": done.excluded, "total": row.total}


@router.post("/{campaign_id}/audience.csv", openapi_extra=CSV_BODY)
def add_csv(campaign_id: str, ctx: CtxDep, db: DbDep, staff: StaffDep,
            data: Annotated[bytes, Depends(csv_body)]) -> dict[str, Any]:
    """Add an uploaded CSV to a draft: refused rows answered with their line numbers and
    codes, duplicates, opted-out and non-consenting numbers left out and counted."""
    row = _campaign(db, staff, campaign_id, change=True)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise error("invalid_encoding", 422) from None
    try:
        added = sources.from_csv(db, ctx.crypto, row, io.StringIO(text, newline=""))
    except CampaignError as exc:
        db.rollback()
        raise _refused(exc) from None
    db.commit()
    return added.as_dict()


@router.post("/{campaign_id}/audience")
def add_query(campaign_id: str, body: AudienceQueryIn, ctx: CtxDep, db: DbDep,
              staff: StaffDep) -> dict[str, Any]:
    """Add the recipients of a query to a draft (`unknown_ward`, `unknown_category`,
    `invalid_query` when a field the source needs is missing)."""
    row = _campaign(db, staff, campaign_id, change=True)
    try:
        added = sources.from_query(db, ctx.crypto, row, body.source, ward=body.ward,
                                   category=body.category, within_days=body.within_days,
                                   service=body.service, today=utcnow().astimezone(IST).date())
    except CampaignError as exc:
        db.rollback()
        raise _refused(exc) from None
    db.commit()
    return added.as_dict()


@router.get("/{campaign_id}")
def follow(campaign_id: str, db: DbDep, staff: StaffDep) -> CampaignOut:
    """The campaign and its live counters."""
    return _out(db, _campaign(db, staff, campaign_id))


@router.get("/{campaign_id}/preview")
def preview(campaign_id: str, ctx: CtxDep, db: DbDep, staff: StaffDep) -> dict[str, Any]:
    """Rendered message per language, SMS segments, cost in paise, drain time."""
    row = _campaign(db, staff, campaign_id)
    try:
        found = estimate.preview(db, ctx.crypto, row, price_table(ctx.settings.send_prices_paise))
    except CampaignError as exc:
        raise _refused(exc) from None
    return found.__dict__ | {"languages": [lang.__dict__ for lang in found.languages]}


@router.post("/{campaign_id}/dry-run")
def dry_run(campaign_id: str, body: RecipientsIn, ctx: CtxDep, db: DbDep,
            staff: StaffDep) -> dict[str, Any]:
    """Render, count and price these recipients without writing or sending anything."""
    row = _campaign(db, staff, campaign_id)
    found = estimate.dry_run(db, ctx.crypto, row, _recipients(body),
                             exclusions_for(db, ctx.crypto, row.steps),
                             price_table(ctx.settings.send_prices_paise))
    return found.__dict__ | {"languages": [lang.__dict__ for lang in found.languages]}


@router.post("/{campaign_id}/test-send")
def test_send(campaign_id: str, body: RecipientsIn, ctx: CtxDep, db: DbDep,
              staff: StaffDep) -> dict[str, Any]:
    """Send the campaign's message to a staff list now (not counted in the campaign)."""
    row = _campaign(db, staff, campaign_id, change=True)
    try:
        done = control.test_send(db, ctx.crypto, row, _recipients(body), actor=staff.actor)
    except CampaignError as exc:
        raise _refused(exc) from None
    db.commit()
    runner_for(ctx).chunks(row.id, 1, test=True)
    return {"queued": done.written}


@router.post("/{campaign_id}/{action}")
def act(campaign_id: str, action: str, ctx: CtxDep, db: DbDep, staff: StaffDep) -> CampaignOut:
    """submit, approve, start, pause, resume, cancel or abort."""
    if action not in TRANSITIONS:
        raise error("not_found", 404)
    row = _campaign(db, staff, campaign_id, change=True)
    try:
        control.act(db, row, action, actor=_approver(staff), now=utcnow(),
                    default_threshold=ctx.settings.campaign_approval_threshold)
    except CampaignError as exc:
        raise _refused(exc) from None
    db.commit()
    if action in ("start", "resume"):
        runner_for(ctx).chunks(row.id, ctx.settings.campaign_parallel)
    return _out(db, row)


def _approver(staff: Principal) -> str:
    """Who acts: the staff member when the key is theirs (two keys of one person are one
    approver), else the key."""
    return f"staff:{staff.staff_id}" if staff.staff_id else staff.actor


@router.get("/{campaign_id}/report.csv")
def report_csv(campaign_id: str, ctx: CtxDep, db: DbDep, staff: StaffDep) -> StreamingResponse:
    """Every recipient: outcome, step, attempts, possible duplicate (CSV)."""
    found = _campaign(db, staff, campaign_id).id
    db.rollback()  # SQLite: the request's transaction holds the write lock the stream needs

    def lines() -> Iterator[str]:
        with ctx.sessions() as own:  # the request's session ends before the body is streamed
            yield from report.report_lines(own, ctx.crypto, own.get_one(Campaign, found))

    return StreamingResponse(lines(), media_type="text/csv",
                             headers={"Content-Disposition":
                                      f'attachment; filename="campaign-{found}.csv"'})
