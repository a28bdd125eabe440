"""HTTP: the gateways' webhooks (verify, record, enqueue, 2xx) and the staff bills API.

Webhooks: `POST /webhooks/<gateway>/{account_id}` — 404 `unknown_account`, 403
`forged_signature`, 400 `malformed` / `missing_event_id`; a genuine event answers 200
`{"status": "accepted"}` (or `"duplicate"` for a replay) before any of its work is done.

Staff API (any role in scope): `GET /api/v1/bills` by service and consumer number, `POST
/api/v1/bills/{bill_id}/payment` for the bill's payable attempt, `GET /api/v1/payments/flags`
for finance. Errors are `{"detail": {"code": ...}}`.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import select

from payments.attempts import AttemptError
from payments.bills.registry import BillError, BillView
from payments.events import UnknownPaymentAccount, record_webhook
from payments.gateway import WebhookRejected
from payments.gateways import gateway_names
from payments.models import PaymentFlag
from services.web.admin import error, readable
from services.web.deps import CtxDep, DbDep, StaffDep
from services.web.errors import API_RESPONSES, _response

log = logging.getLogger(__name__)
router = APIRouter()
MAX_WEBHOOK_BYTES = 256 * 1024


def _webhook_route(gateway: str) -> None:
    """Register one gateway's webhook path (a literal prefix, ahead of the channels' route)."""

    async def webhook(request: Request, ctx: CtxDep, account_id: str) -> JSONResponse:
        body = await request.body()
        if len(body) > MAX_WEBHOOK_BYTES:
            return JSONResponse({"error": "too_large"}, status_code=413)
        try:
            recorded = await run_in_threadpool(
                record_webhook, ctx.sessions, ctx.crypto, gateway=gateway,
                account_id=account_id, body=body, headers=dict(request.headers))
        except UnknownPaymentAccount:
            return JSONResponse({"error": "unknown_account"}, status_code=404)
        except WebhookRejected as exc:
            log.warning("%s webhook rejected: %s", gateway, exc.code)
            return JSONResponse({"error": exc.code}, status_code=exc.http_status)
        if recorded.event_row_id is None:
            return JSONResponse({"status": "duplicate"})
        ctx.dispatcher.enqueue_payment_events([recorded.event_row_id])
        return JSONResponse({"status": "accepted"})

    webhook.__doc__ = f"{gateway} reports a payment, link, QR or refund event (signed)."
    router.add_api_route(f"/webhooks/{gateway}/{{account_id}}", webhook, methods=["POST"],
                         tags=["webhooks"], name=f"{gateway}_webhook")


for _name in gateway_names():
    _webhook_route(_name)

api = APIRouter(prefix="/api/v1", tags=["bills"], responses=API_RESPONSES)


class ItemOut(BaseModel):
    """A bill line in paise (a rebate is negative)."""

    head: str
    amount_paise: int


class BillOut(BaseModel):
    """A bill, amounts in integer paise."""

    id: str
    tenant: str
    service: str
    consumer_no: str
    bill_no: str
    period_start: date
    period_end: date
    items: list[ItemOut]
    amount_paise: int
    due_date: date
    status: str


class AttemptOut(BaseModel):
    """Where to pay a bill: the link, the UPI QR's content and the UPI intent."""

    id: str
    bill_id: str
    amount_paise: int
    status: str
    link_url: str | None
    qr_content: str | None
    upi_intent: str | None
    expire_at: datetime


class FlagOut(BaseModel):
    """Money finance must look at."""

    id: str
    kind: str
    attempt_id: str | None
    bill_id: str | None
    payment_id: str
    expected_paise: int | None
    paid_paise: int | None
    created_at: datetime
    resolved_at: datetime | None


def _bill_out(bill: BillView) -> BillOut:
    """A bill for the API (the payer's name is not shown)."""
    return BillOut(id=bill.id, tenant=bill.tenant_id, service=bill.service.value,
                   consumer_no=bill.consumer_no, bill_no=bill.bill_no,
                   period_start=bill.period_start, period_end=bill.period_end,
                   items=[ItemOut(head=i.head, amount_paise=i.amount_paise) for i in bill.items],
                   amount_paise=bill.amount_paise, due_date=bill.due_date,
                   status=bill.status.value)


LOOKUP_RESPONSES: dict[int | str, dict[str, object]] = {
    400: _response("`unknown_service` or `invalid_consumer_number`"),
    502: _response("`platform_refused`: the platform holding the city's bills refused"),
    503: _response("`platform_unavailable`: the platform holding the city's bills is down"),
}


@api.get("/bills", responses=LOOKUP_RESPONSES)
def lookup(ctx: CtxDep, db: DbDep, staff: StaffDep,
           service: Annotated[str, Query(max_length=32)],
           consumer_no: Annotated[str, Query(min_length=1, max_length=64)],
           tenant: Annotated[str | None, Query(max_length=64)] = None) -> list[BillOut]:
    """A consumer's bills (400 `unknown_service`, `invalid_consumer_number`; a platform
    holding the city's bills: 503 `platform_unavailable`, 502 `platform_refused`)."""
    tenant_id = tenant or staff.scope
    readable(db, staff, tenant_id)
    try:
        found = [_bill_out(b) for b in ctx.bills(db, tenant_id).lookup(service, consumer_no)]
    except BillError as exc:
        status = {"platform_unavailable": 503, "platform_refused": 502}.get(exc.code, 400)
        raise error(exc.code, status) from None
    db.commit()  # a platform's bills are mirrored for payment
    return found


PAY_RESPONSES: dict[int | str, dict[str, object]] = {
    404: _response("`not_found`: no such bill of the tenant"),
    409: _response("`not_payable` (paid, cancelled or nothing due) or "
                   "`payments_unavailable` (the city has no active gateway account)"),
    503: _response("`gateway_unavailable`: the gateway could not be reached; try again"),
}


@api.post("/bills/{bill_id}/payment", responses=PAY_RESPONSES)
def pay(ctx: CtxDep, db: DbDep, staff: StaffDep, bill_id: str,
        tenant: Annotated[str | None, Query(max_length=64)] = None) -> AttemptOut:
    """The bill's payable attempt, made when none is open."""
    tenant_id = tenant or staff.scope
    readable(db, staff, tenant_id)
    db.commit()  # the request's read ends here: the attempt is written in its own sessions
    try:
        view = ctx.start_payment(tenant_id, bill_id[:32])
    except AttemptError as exc:
        status = {"not_found": 404, "gateway_unavailable": 503}.get(exc.code, 409)
        raise error(exc.code, status) from None
    return AttemptOut(id=view.id, bill_id=view.bill_id, amount_paise=view.amount_paise,
                      status=view.status, link_url=view.link_url, qr_content=view.qr_content,
                      upi_intent=view.upi_intent, expire_at=view.expire_at)


@api.get("/payments/flags")
def flags(db: DbDep, staff: StaffDep, tenant: Annotated[str | None, Query(max_length=64)] = None,
          open_only: bool = True) -> list[FlagOut]:
    """Short, excess, duplicate, unmatched payments and refunds, newest first."""
    tenant_id = tenant or staff.scope
    readable(db, staff, tenant_id)
    query = select(PaymentFlag).where(PaymentFlag.tenant_id == tenant_id)
    if open_only:
        query = query.where(PaymentFlag.resolved_at.is_(None))
    rows = db.scalars(query.order_by(PaymentFlag.created_at.desc()).limit(500))
    return [FlagOut(id=r.id, kind=r.kind, attempt_id=r.attempt_id, bill_id=r.bill_id,
                    payment_id=r.external_payment_id, expected_paise=r.expected_paise,
                    paid_paise=r.paid_paise, created_at=r.created_at,
                    resolved_at=r.resolved_at) for r in rows]


router.include_router(api)
