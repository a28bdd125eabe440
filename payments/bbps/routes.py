"""HTTP: the biller API a BBPS aggregator calls, under the `baseURL` `/bbps/{biller_id}`.

`POST …/bills/fetch`, `…/customer/validate`, `…/bills/fetchReceipt`, `…/notifications`. Each
request: the biller (404 `entity-not-found`), the caller's address on its allow-list (403
`forbidden`), its credentials (400 `invalid-auth-header`, 401 `jwt-verification-failed`,
`jwt-token-expired`, `unauthorised`), a JSON object body (400 `malformed-request`). Every
answer is in the contract's shape and comes within `DEADLINE`; a fault of ours (the database
down, a timeout) is 503 `service-unavailable`, never a 500, and the aggregator re-sends.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from payments.bbps.auth import allowed, check
from payments.bbps.errors import BbpsError, error_body, ok_body
from payments.bbps.fetch import fetch_bills, validate_customer
from payments.bbps.models import BbpsBiller
from payments.bbps.notices import record_notifications
from payments.bbps.posting import post_payment
from services.context import AppContext
from services.web.deps import CtxDep

log = logging.getLogger(__name__)


class BbpsErrorDetail(BaseModel):
    """The contract's error object."""

    code: str
    title: str
    detail: str
    docURL: str
    traceID: str
    errors: list[Any]


class BbpsErrorOut(BaseModel):
    """A refusal in the contract's shape."""

    status: int
    success: bool
    error: BbpsErrorDetail


def _documented(codes: str) -> dict[str, Any]:
    """One documented refusal."""
    return {"model": BbpsErrorOut, "description": codes}


RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _documented("`malformed-request`, `invalid-param`, `invalid-auth-header`, "
                     "`insufficient-customer-identifiers`, `invalid-customer-identifier`, "
                     "`customer-not-found`, `bill-not-found`, `bill-already-fulfilled`, "
                     "`bill-expired`, `incorrect-amount`"),
    401: _documented("`jwt-verification-failed`, `jwt-token-expired`, `unauthorised`"),
    403: _documented("`forbidden`: the caller's address is not allowed"),
    404: _documented("`entity-not-found`: no such biller, or disabled"),
    413: _documented("`payload-too-large`"),
    503: _documented("`service-unavailable`: try again with the same body"),
}
router = APIRouter(prefix="/bbps/{biller_id}", tags=["bbps"], responses=RESPONSES)
DEADLINE = 25.0
"""Seconds to answer in (the aggregator gives up after 30 and re-sends the same body)."""
MAX_BODY = 256 * 1024
Work = Callable[[AppContext, BbpsBiller, dict[str, Any]], dict[str, Any] | None]


def _authorised(ctx: AppContext, biller_id: str, address: str | None,
                authorization: str) -> BbpsBiller:
    """The biller, if this caller may speak for its aggregator (detached from the session)."""
    with ctx.sessions() as db:
        biller = db.get(BbpsBiller, biller_id[:32])
        if biller is None or not biller.active:
            raise BbpsError("entity-not-found")
        if not allowed(address, biller.allowed_ips):
            log.warning("bbps call for biller %s from an address not allowed", biller.id)
            raise BbpsError("forbidden")
        check(biller.auth, ctx.crypto.decrypt_json(biller.config_enc), authorization)
        db.expunge(biller)
        return biller


def _run(ctx: AppContext, biller_id: str, address: str | None, authorization: str,
         raw: bytes, work: Work) -> dict[str, Any]:
    """Authorise, read the body, do the work (in a worker thread)."""
    biller = _authorised(ctx, biller_id, address, authorization)
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise BbpsError("malformed-request") from None
    if not isinstance(data, dict):
        raise BbpsError("malformed-request")
    return ok_body(work(ctx, biller, data))


async def _serve(request: Request, ctx: AppContext, biller_id: str, work: Work) -> JSONResponse:
    """One call, answered in the contract's shape within the deadline."""
    try:
        raw = await request.body()
        if len(raw) > MAX_BODY:
            raise BbpsError("payload-too-large")
        address = request.client.host if request.client else None
        body = await asyncio.wait_for(run_in_threadpool(
            _run, ctx, biller_id, address, request.headers.get("authorization", ""), raw,
            work), DEADLINE)
        return JSONResponse(body)
    except BbpsError as refusal:
        return JSONResponse(error_body(refusal), status_code=refusal.status)
    except TimeoutError:
        log.error("bbps call for biller %s outran the deadline", biller_id[:32])
    except Exception as exc:  # noqa: BLE001  (never a 500: a 503 is re-sent, same body)
        log.error("bbps call for biller %s failed: %s", biller_id[:32], type(exc).__name__)
    unavailable = BbpsError("service-unavailable")
    return JSONResponse(error_body(unavailable), status_code=unavailable.status)


def _fetch(ctx: AppContext, biller: BbpsBiller, data: dict[str, Any]) -> dict[str, Any]:
    """A consumer's bills."""
    with ctx.sessions() as db:
        return fetch_bills(db, ctx.bills(db, biller.tenant_id), biller, data)


def _validate(ctx: AppContext, biller: BbpsBiller, data: dict[str, Any]) -> dict[str, Any]:
    """A consumer's account."""
    with ctx.sessions() as db:
        return validate_customer(db, ctx.bills(db, biller.tenant_id), biller, data)


def _receipt(ctx: AppContext, biller: BbpsBiller, data: dict[str, Any]) -> dict[str, Any]:
    """A payment posted: its receipt (the citizen's notice dispatched after commit)."""
    answer, queued = post_payment(ctx.sessions, ctx.bills, biller.id, data,
                                  ctx.payment_notifier)
    for outbox_id, lane in queued:
        ctx.dispatcher.enqueue([outbox_id], lane)
    return answer


def _notifications(ctx: AppContext, biller: BbpsBiller, data: dict[str, Any]) -> None:
    """Settlement notices stored."""
    with ctx.sessions() as db:
        record_notifications(db, biller, data)
        db.commit()


@router.post("/bills/fetch")
async def bills_fetch(request: Request, ctx: CtxDep, biller_id: str) -> JSONResponse:
    """The aggregator asks for a consumer's bills."""
    return await _serve(request, ctx, biller_id, _fetch)


@router.post("/customer/validate")
async def customer_validate(request: Request, ctx: CtxDep, biller_id: str) -> JSONResponse:
    """The aggregator checks a consumer exists (validate and pay)."""
    return await _serve(request, ctx, biller_id, _validate)


@router.post("/bills/fetchReceipt")
async def bills_fetch_receipt(request: Request, ctx: CtxDep, biller_id: str) -> JSONResponse:
    """The aggregator posts a payment; answered with its receipt (the same on a re-send)."""
    return await _serve(request, ctx, biller_id, _receipt)


@router.post("/notifications")
async def notifications(request: Request, ctx: CtxDep, biller_id: str) -> JSONResponse:
    """The aggregator reports settlements."""
    return await _serve(request, ctx, biller_id, _notifications)
