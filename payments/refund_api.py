"""Staff API for refunds: `POST /api/v1/payments/refunds`, `GET /api/v1/payments/refunds`.

A finance officer of the city (or its state) refunds an excess or duplicate payment with a
note: 201 with the refund (`requested`, `pending`, `processed`); 400 `note_required`; 404
`not_refundable` (no such flagged payment of the city); 409 `exceeds_refundable`,
`refused_by_gateway`; 503 `gateway_unavailable` (the refund is kept `requested`: the same
request again re-sends it with the same idempotency key, never a second refund).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy import select

from payments.refund_models import PaymentRefund
from payments.refunds import RefundError, RefundView, request_refund, tell_citizen, view_of
from services.web.admin import error, readable
from services.web.deps import CtxDep, DbDep, StaffDep
from services.web.errors import API_RESPONSES, _response

REFUND_RESPONSES: dict[int | str, dict[str, object]] = {
    **API_RESPONSES,
    400: _response("`note_required`"),
    404: _response("`not_refundable`: no such flagged payment of the city; `not_found`"),
    409: _response("`exceeds_refundable`, `refused_by_gateway`"),
    503: _response("`gateway_unavailable`: kept `requested`; the same request re-sends it"),
}
router = APIRouter(prefix="/api/v1/payments", tags=["bills"])
STATUS = {"note_required": 400, "not_refundable": 404, "not_found": 404,
          "gateway_unavailable": 503}


class RefundIn(BaseModel):
    """What to refund: the gateway payment id, an amount (default: all that may go back)."""

    payment_id: str = Field(min_length=1, max_length=64)
    note: str = Field(min_length=1, max_length=500)
    amount_paise: int | None = Field(default=None, gt=0)


class RefundOut(BaseModel):
    """A refund and where it stands."""

    id: str
    tenant: str
    payment_id: str
    reason: str
    amount_paise: int
    status: str
    note: str
    refund_id: str | None
    created_at: datetime


def _out(view: RefundView) -> RefundOut:
    """A refund for the API."""
    return RefundOut(id=view.id, tenant=view.tenant_id, payment_id=view.payment_id,
                     reason=view.reason, amount_paise=view.amount_paise, status=view.status,
                     note=view.note, refund_id=view.external_refund_id,
                     created_at=view.created_at)


@router.post("/refunds", status_code=201, responses=REFUND_RESPONSES)
def create(ctx: CtxDep, db: DbDep, staff: StaffDep, given: RefundIn,
           tenant: Annotated[str | None, Query(max_length=64)] = None) -> RefundOut:
    """Refund an excess or duplicate payment (a retry of an unanswered one re-sends it)."""
    tenant_id = tenant or staff.scope
    readable(db, staff, tenant_id)
    if not staff.can_refund():
        raise error("forbidden_role", 403)
    db.commit()  # the refund is written in its own sessions
    try:
        view = request_refund(ctx.sessions, ctx.crypto, tenant_id=tenant_id,
                              payment_id=given.payment_id, note=given.note, actor=staff.actor,
                              amount_paise=given.amount_paise)
    except RefundError as exc:
        raise error(exc.code, STATUS.get(exc.code, 409)) from None
    for outbox_id, lane in tell_citizen(ctx.sessions, ctx.crypto, view.id):
        ctx.dispatcher.enqueue([outbox_id], lane)  # processed at once: told now, once
    return _out(view)


@router.get("/refunds", responses=API_RESPONSES)
def listing(db: DbDep, staff: StaffDep,
            tenant: Annotated[str | None, Query(max_length=64)] = None) -> list[RefundOut]:
    """The city's refunds, newest first."""
    tenant_id = tenant or staff.scope
    readable(db, staff, tenant_id)
    rows = db.scalars(select(PaymentRefund).where(PaymentRefund.tenant_id == tenant_id)
                      .order_by(PaymentRefund.created_at.desc()).limit(500))
    return [_out(view_of(row)) for row in rows]
