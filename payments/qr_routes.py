"""GET /payments/qr/{attempt}.png: the UPI QR picture a channel was sent, while it is payable."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query
from fastapi.responses import Response

from payments.models import OPEN, PaymentAttempt
from payments.qr_image import QrRefused, check_qr_link, qr_png
from services.db.base import aware, utcnow
from services.web.deps import CtxDep, DbDep
from services.web.errors import ApiError

router = APIRouter(prefix="/payments", tags=["payments"])
MAX_EXPIRY = 2**40


def _error(code: str, status: int) -> HTTPException:
    """An error carrying a stable code."""
    return HTTPException(status, detail={"code": code})


@router.get("/qr/{attempt_id}.png", response_class=Response, responses={
    200: {"content": {"image/png": {}}, "description": "The UPI QR code"},
    403: {"model": ApiError, "description": "`bad_signature` or `link_expired`"},
    404: {"model": ApiError, "description": "`not_found`"},
    410: {"model": ApiError, "description": "`not_payable`: paid, expired or cancelled"},
    422: {"model": ApiError, "description": "`invalid_request` (with `fields`)"}})
def upi_qr(attempt_id: Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")], db: DbDep,
           ctx: CtxDep,
           exp: Annotated[int, Query(ge=0, le=MAX_EXPIRY, description="expiry, unix seconds")],
           sig: Annotated[str, Query(pattern=r"^[0-9a-f]{64}$")]) -> Response:
    """The single-use UPI QR of an open payment attempt, as PNG."""
    try:
        check_qr_link(ctx.crypto, attempt_id, exp, sig)
    except QrRefused as exc:
        raise _error(exc.code, 403) from None
    attempt = db.get(PaymentAttempt, attempt_id)
    if attempt is None or not attempt.qr_content:
        raise _error("not_found", 404)
    if attempt.status != OPEN or aware(attempt.expire_at) <= utcnow():
        raise _error("not_payable", 410)
    return Response(qr_png(attempt.qr_content), media_type="image/png", headers={
        "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer"})
