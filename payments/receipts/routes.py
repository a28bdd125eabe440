"""Public receipt routes: published keys, verification (page or JSON), the PDF by signed link.

`GET /receipts/keys/{tenant}` every public key of a city (JSON, with key ids);
`GET /receipts/verify/{number}?sig=…` whether a receipt is genuine (what the QR opens);
`GET /receipts/pdf/{id}?lang=…&exp=…&sig=…` the printable receipt while the link lasts.
"""

from __future__ import annotations

import time
from typing import Annotated, Literal

from fastapi import APIRouter, Header, HTTPException, Path, Query
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy import select

from i18n import LANGUAGES
from payments.receipts.fonts import FontMissing
from payments.receipts.links import LinkRefused, check_pdf_link, verify_url
from payments.receipts.models import Receipt, ReceiptKey
from payments.receipts.pdf import Printed, render
from payments.receipts.query import check, payer_name
from payments.receipts.verify_page import choose_language, city_name, page, public_view
from services.tenancy.models import Tenant
from services.web.deps import CtxDep, DbDep
from services.web.errors import ApiError

router = APIRouter(prefix="/receipts", tags=["receipts"])
NUMBER = r"^[A-Z0-9]{1,16}/[A-Z]{2}/[0-9]{4}-[0-9]{2}/[0-9]{6}$"
SIGNATURE = r"^[A-Za-z0-9_-]{86}$"
LANG = r"^[a-z]{2,3}$"
MAX_EXPIRY = 2**40
HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


class PublicKey(BaseModel):
    """One Ed25519 public key of a city."""

    key_id: str
    algorithm: Literal["Ed25519"] = "Ed25519"
    public_key: str
    """The raw 32-byte key, base64url without padding."""
    created_at: str
    current: bool


class PublicKeys(BaseModel):
    """Every key a city's receipts were signed with, current first."""

    tenant: str
    keys: list[PublicKey]


class PublicReceipt(BaseModel):
    """What anyone may see of a genuine receipt."""

    number: str
    tenant: str
    service: str
    consumer_no: str
    """Masked: only the last four characters shown."""
    amount_paise: int
    paid_at: str
    issued_at: str
    key_id: str


class VerifyAnswer(BaseModel):
    """The verdict, with the public part of the receipt when genuine."""

    genuine: bool
    receipt: PublicReceipt | None


def _error(code: str, status: int) -> HTTPException:
    """An error carrying a stable code."""
    return HTTPException(status, detail={"code": code})


@router.get("/keys/{tenant_id}", response_model=PublicKeys, responses={
    404: {"model": ApiError, "description": "`not_found`"}})
def keys(tenant_id: Annotated[str, Path(max_length=64)], db: DbDep) -> PublicKeys:
    """The city's receipt signing keys (public halves), to verify receipts offline."""
    rows = db.scalars(select(ReceiptKey).where(ReceiptKey.tenant_id == tenant_id)
                      .order_by(ReceiptKey.generation.desc())).all()
    if db.get(Tenant, tenant_id) is None:
        raise _error("not_found", 404)
    return PublicKeys(tenant=tenant_id, keys=[
        PublicKey(key_id=row.id, public_key=row.public_key,
                  created_at=row.created_at.isoformat(), current=i == 0)
        for i, row in enumerate(rows)])


@router.get("/verify/{number:path}", response_model=VerifyAnswer, responses={
    200: {"content": {"text/html": {}}, "description": "The verdict, a page unless JSON"},
    422: {"model": ApiError, "description": "`invalid_request` (with `fields`)"}})
def verify(number: Annotated[str, Path(pattern=NUMBER)], db: DbDep, ctx: CtxDep,
           sig: Annotated[str, Query(pattern=SIGNATURE)],
           lang: Annotated[str | None, Query(pattern=LANG)] = None,
           format: Annotated[Literal["html", "json"], Query()] = "html",
           accept_language: Annotated[str | None, Header(max_length=256)] = None) -> Response:
    """Whether this number and signature are a genuine receipt (what its QR opens)."""
    verdict = check(db, ctx.crypto, number, sig)
    tenant = db.get(Tenant, verdict.receipt.tenant_id) if verdict.receipt else None
    headers = {**HEADERS, "Cache-Control": "no-store"}
    if format == "json":
        return JSONResponse(public_view(verdict, tenant), headers=headers)
    html = page(verdict, tenant, choose_language(lang, accept_language))
    return HTMLResponse(html, headers={
        **headers, "Content-Security-Policy":
        "default-src 'none'; style-src 'unsafe-inline'; font-src 'self'"})


@router.get("/pdf/{receipt_id}", response_class=Response, responses={
    200: {"content": {"application/pdf": {}}, "description": "The receipt"},
    403: {"model": ApiError, "description": "`bad_signature` or `link_expired`"},
    404: {"model": ApiError, "description": "`not_found`"},
    422: {"model": ApiError, "description": "`invalid_request` (with `fields`)"},
    503: {"model": ApiError, "description": "`font_missing`"}})
def pdf(receipt_id: Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")], db: DbDep, ctx: CtxDep,
        lang: Annotated[str, Query(pattern=LANG)],
        exp: Annotated[int, Query(ge=0, le=MAX_EXPIRY, description="expiry, unix seconds")],
        sig: Annotated[str, Query(pattern=r"^[0-9a-f]{64}$")]) -> Response:
    """A receipt's printable PDF, for whoever holds the link it was sent, while it lasts."""
    try:
        check_pdf_link(ctx.crypto, receipt_id, lang, exp, sig)
    except LinkRefused as exc:
        raise _error(exc.code, 403) from None
    receipt = db.get(Receipt, receipt_id)
    tenant = db.get(Tenant, receipt.tenant_id) if receipt else None
    if receipt is None or tenant is None or lang not in LANGUAGES:
        raise _error("not_found", 404)
    printed = Printed(city=city_name(tenant, lang), payer_name=payer_name(ctx.crypto, receipt),
                      verify_url=verify_url(ctx.settings.base_url, receipt.number,
                                            receipt.signature, lang))
    try:
        data = render(receipt, printed, lang)
    except FontMissing:
        raise _error("font_missing", 503) from None
    remaining = max(0, exp - int(time.time()))
    name = receipt.number.replace("/", "-")
    return Response(data, media_type="application/pdf", headers={
        **HEADERS, "Cache-Control": f"private, max-age={remaining}",
        "Content-Disposition": f'inline; filename="{name}.pdf"',
        "Content-Security-Policy": "default-src 'none'; sandbox"})
