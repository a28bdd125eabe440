"""A local stand-in for the Razorpay API we call, with a demo "pay" page and signed webhooks.

Endpoints (under `/sim/razorpay`, the SDK's `base_url`): payment links (create, fetch,
cancel), QR codes (create, fetch, payments, close), payments (fetch) and the settlement
recon report (`settle()` and `add_recon_item()` put lines in it), answering in
Razorpay's shapes and error envelope. `/sim/razorpay/pay/{id}` is the citizen's page: paying
there (or calling `pay()`) captures a UPI payment and posts the webhooks Razorpay would —
`payment.captured` then `payment_link.paid` or `qr_code.credited` — signed with the account's
webhook secret. Knobs (`knobs`): fail the next payments, deliver webhooks late, twice, in
reverse order, or not at all (the safety net must find those). Development and tests only.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as dt_time
from typing import Any
from urllib.parse import quote

import httpx
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.concurrency import run_in_threadpool

from payments.money import rupees_text
from services.db.base import IST

router = APIRouter(prefix="/sim/razorpay", tags=["simulator"])
SIM_VPA = "nagarsetu.sim@razorpay"


@dataclass(frozen=True)
class Merchant:
    """A simulated Razorpay account: its keys and where its webhooks go."""

    key_id: str
    key_secret: str
    webhook_secret: str
    webhook_url: str


@dataclass
class Knobs:
    """Faults to inject: set them, and `reset()` clears them."""

    fail_payments: int = 0
    """The next N payments fail (`payment.failed`)."""
    webhook_delay: float = 0.0
    """Seconds before webhooks are sent (late events)."""
    duplicate: bool = False
    """Send every webhook twice, same event id."""
    reverse: bool = False
    """Send a payment's webhooks newest first."""
    drop: bool = False
    """Send no webhooks (a server that was down)."""
    api_faults: list[int] = field(default_factory=list)
    """HTTP statuses for the next API calls (500, 400 …)."""
    refund_faults: list[int] = field(default_factory=list)
    """The next refunds are made but answered with these statuses (the answer lost)."""
    fail_refunds: int = 0
    """The next N refunds fail at the bank (`refund.failed`)."""


@dataclass
class _State:
    """What the fake gateway holds."""

    merchants: dict[str, Merchant] = field(default_factory=dict)
    links: dict[str, dict[str, Any]] = field(default_factory=dict)
    qrs: dict[str, dict[str, Any]] = field(default_factory=dict)
    payments: dict[str, dict[str, Any]] = field(default_factory=dict)
    owner: dict[str, str] = field(default_factory=dict)
    refunds: dict[str, dict[str, Any]] = field(default_factory=dict)
    refund_keys: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    """(merchant, X-Refund-Idempotency) -> (the request body, the refund id)."""
    recon: list[dict[str, Any]] = field(default_factory=list)
    """Settlement recon items (each with `_owner`, the merchant's key id)."""
    sent: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock)


STATE = _State()
knobs = Knobs()
lookup: Callable[[str], Merchant | None] = lambda key_id: None  # noqa: E731
"""Finds a merchant not registered directly (the gateway sets it to read its accounts)."""


def reset() -> None:
    """Forget everything and clear the knobs (tests)."""
    global knobs
    with STATE.lock:
        for part in (STATE.merchants, STATE.links, STATE.qrs, STATE.payments, STATE.owner,
                     STATE.refunds):
            part.clear()
        STATE.refund_keys.clear()
        STATE.sent.clear()
        STATE.recon.clear()
    knobs = Knobs()


def register(merchant: Merchant) -> None:
    """Know a merchant's keys and webhook target."""
    with STATE.lock:
        STATE.merchants[merchant.key_id] = merchant


def sent_webhooks() -> list[dict[str, Any]]:
    """Webhooks sent so far: event, event id, status code answered."""
    with STATE.lock:
        return list(STATE.sent)


def _merchant(key_id: str) -> Merchant | None:
    """A merchant by key id."""
    with STATE.lock:
        found = STATE.merchants.get(key_id)
    return found or lookup(key_id)


def _error(status: int, description: str) -> JSONResponse:
    """Razorpay's error envelope (the SDK reads `error.code`)."""
    code = "BAD_REQUEST_ERROR" if status < 500 else "SERVER_ERROR"
    return JSONResponse({"error": {"code": code, "description": description,
                                   "source": "NA", "step": "NA", "reason": "NA"}},
                        status_code=status)


def _auth(request: Request) -> Merchant | JSONResponse:
    """The merchant whose key id and secret are in Basic auth; an error answer otherwise."""
    with STATE.lock:
        if knobs.api_faults:
            return _error(knobs.api_faults.pop(0), "Injected fault")
    import base64

    header = request.headers.get("authorization", "")
    try:
        key_id, _, secret = base64.b64decode(header.removeprefix("Basic ")).decode().partition(":")
    except ValueError:
        return _error(401, "The API key provided is invalid")
    merchant = _merchant(key_id)
    if merchant is None or not hmac.compare_digest(merchant.key_secret, secret):
        return _error(401, "The API key/secret provided is invalid")
    return merchant


def _new_id(prefix: str) -> str:
    """An id in Razorpay's style (`plink_…`, `qr_…`, `pay_…`)."""
    return f"{prefix}_{secrets.token_hex(7)}"


def _owned(merchant: Merchant, entity_id: str, table: dict[str, dict[str, Any]]
           ) -> dict[str, Any] | None:
    """An entity of this merchant."""
    with STATE.lock:
        if STATE.owner.get(entity_id) != merchant.key_id:
            return None
        return table.get(entity_id)


@router.post("/v1/payment_links")
async def create_link(request: Request) -> JSONResponse:
    """Create a payment link."""
    merchant = await run_in_threadpool(_auth, request)  # it may read our database
    if isinstance(merchant, JSONResponse):
        return merchant
    data = await request.json()
    amount = data.get("amount")
    if not isinstance(amount, int) or amount < 100:
        return _error(400, "The amount must be atleast INR 1.00")
    if int(data.get("expire_by") or 0) and int(data["expire_by"]) < time.time() + 15 * 60:
        return _error(400, "expire_by should be at least 15 minutes after current time")
    link_id = _new_id("plink")
    base = str(request.base_url).rstrip("/") + router.prefix
    link = {"id": link_id, "entity": "payment_link", "amount": amount, "amount_paid": 0,
            "currency": data.get("currency", "INR"), "accept_partial": False,
            "reference_id": data.get("reference_id", ""), "description":
            data.get("description", ""), "expire_by": data.get("expire_by", 0),
            "notes": data.get("notes") or {}, "status": "created", "payments": None,
            "order_id": "", "upi_link": bool(data.get("upi_link")),
            "short_url": f"{base}/pay/{link_id}", "created_at": int(time.time()),
            "updated_at": int(time.time()), "user_id": "", "cancelled_at": 0,
            "expired_at": 0, "reminder_enable": False}
    with STATE.lock:
        STATE.links[link_id] = link
        STATE.owner[link_id] = merchant.key_id
    return JSONResponse(link)


@router.get("/v1/payment_links/{link_id}")
async def fetch_link(request: Request, link_id: str) -> JSONResponse:
    """Fetch a payment link (with its payments)."""
    merchant = await run_in_threadpool(_auth, request)  # it may read our database
    if isinstance(merchant, JSONResponse):
        return merchant
    link = _owned(merchant, link_id, STATE.links)
    return JSONResponse(link) if link else _error(400, "The id provided does not exist")


@router.post("/v1/payment_links/{link_id}/cancel")
async def cancel_link(request: Request, link_id: str) -> JSONResponse:
    """Cancel an unpaid link."""
    merchant = await run_in_threadpool(_auth, request)  # it may read our database
    if isinstance(merchant, JSONResponse):
        return merchant
    link = _owned(merchant, link_id, STATE.links)
    if link is None:
        return _error(400, "The id provided does not exist")
    if link["status"] != "created":
        return _error(400, f"Payment link cannot be cancelled in {link['status']} state")
    link["status"], link["cancelled_at"] = "cancelled", int(time.time())
    return JSONResponse(link)


@router.post("/v1/payments/qr_codes")
async def create_qr(request: Request) -> JSONResponse:
    """Create a single-use, fixed-amount UPI QR code."""
    merchant = await run_in_threadpool(_auth, request)  # it may read our database
    if isinstance(merchant, JSONResponse):
        return merchant
    data = await request.json()
    amount = data.get("payment_amount")
    if data.get("type") != "upi_qr" or not isinstance(amount, int) or amount < 100:
        return _error(400, "The payment amount must be atleast INR 1.00")
    qr_id = _new_id("qr")
    base = str(request.base_url).rstrip("/") + router.prefix
    content = (f"upi://pay?ver=01&mode=15&pa={SIM_VPA}&pn={quote(str(data.get('name', '')))}"
               f"&tr={qr_id}&cu=INR&mc=9311&am={rupees_text(amount)}")
    qr = {"id": qr_id, "entity": "qr_code", "created_at": int(time.time()),
          "name": data.get("name", ""), "usage": data.get("usage", "single_use"),
          "type": "upi_qr", "image_url": f"{base}/pay/{qr_id}", "image_content": content,
          "payment_amount": amount, "status": "active",
          "description": data.get("description", ""), "fixed_amount": True,
          "payments_amount_received": 0, "payments_count_received": 0,
          "notes": data.get("notes") or {}, "customer_id": None,
          "close_by": data.get("close_by"), "closed_at": None, "close_reason": None}
    with STATE.lock:
        STATE.qrs[qr_id] = qr
        STATE.owner[qr_id] = merchant.key_id
    return JSONResponse(qr)


@router.get("/v1/payments/qr_codes/{qr_id}")
async def fetch_qr(request: Request, qr_id: str) -> JSONResponse:
    """Fetch a QR code."""
    merchant = await run_in_threadpool(_auth, request)  # it may read our database
    if isinstance(merchant, JSONResponse):
        return merchant
    qr = _owned(merchant, qr_id, STATE.qrs)
    return JSONResponse(qr) if qr else _error(400, "The id provided does not exist")


@router.get("/v1/payments/qr_codes/{qr_id}/payments")
async def qr_payments(request: Request, qr_id: str) -> JSONResponse:
    """Payments made on a QR code."""
    merchant = await run_in_threadpool(_auth, request)  # it may read our database
    if isinstance(merchant, JSONResponse):
        return merchant
    if _owned(merchant, qr_id, STATE.qrs) is None:
        return _error(400, "The id provided does not exist")
    with STATE.lock:
        items = [p for p in STATE.payments.values() if p.get("_qr") == qr_id]
    items = [{k: v for k, v in p.items() if not k.startswith("_")} for p in items]
    return JSONResponse({"entity": "collection", "count": len(items), "items": items})


@router.post("/v1/payments/qr_codes/{qr_id}/close")
async def close_qr(request: Request, qr_id: str) -> JSONResponse:
    """Close an active QR code."""
    merchant = await run_in_threadpool(_auth, request)  # it may read our database
    if isinstance(merchant, JSONResponse):
        return merchant
    qr = _owned(merchant, qr_id, STATE.qrs)
    if qr is None:
        return _error(400, "The id provided does not exist")
    if qr["status"] != "active":
        return _error(400, "QR code is already closed")
    qr.update(status="closed", closed_at=int(time.time()), close_reason="on_demand")
    return JSONResponse(qr)


@router.get("/v1/payments/{payment_id}")
async def fetch_payment(request: Request, payment_id: str) -> JSONResponse:
    """Fetch a payment."""
    merchant = await run_in_threadpool(_auth, request)  # it may read our database
    if isinstance(merchant, JSONResponse):
        return merchant
    payment = _owned(merchant, payment_id, STATE.payments)
    if payment is None:
        return _error(400, "The id provided does not exist")
    return JSONResponse({k: v for k, v in payment.items() if not k.startswith("_")})


def refunds_of(payment_id: str) -> list[dict[str, Any]]:
    """Refunds made on a payment so far (tests count them)."""
    with STATE.lock:
        return [dict(r) for r in STATE.refunds.values() if r["payment_id"] == payment_id]


def _public(entity: dict[str, Any]) -> dict[str, Any]:
    """An entity without the simulator's own keys."""
    return {k: v for k, v in entity.items() if not k.startswith("_")}


@router.post("/v1/payments/{payment_id}/refund")
async def create_refund(request: Request, payment_id: str) -> JSONResponse:
    """A normal refund; `X-Refund-Idempotency` with the same body returns the same refund."""
    merchant = _auth(request)
    if isinstance(merchant, JSONResponse):
        return merchant
    raw = (await request.body()).decode()
    data = json.loads(raw or "{}")
    key = request.headers.get("x-refund-idempotency", "")
    with STATE.lock:
        payment = _owned(merchant, payment_id, STATE.payments)
        if payment is None:
            return _error(400, "The id provided does not exist")
        if key and (merchant.key_id, key) in STATE.refund_keys:
            body, refund_id = STATE.refund_keys[(merchant.key_id, key)]
            if body != raw:
                return _error(400, "Different request with the same idempotency key has "
                                   "already been processed.")
            return JSONResponse(_public(STATE.refunds[refund_id]))
        amount = data.get("amount", payment["amount"] - payment["amount_refunded"])
        if payment["status"] not in ("captured", "refunded") or not isinstance(amount, int):
            return _error(400, "The payment has not been captured")
        if amount <= 0 or amount > payment["amount"] - payment["amount_refunded"]:
            return _error(400, "The refund amount provided is greater than amount captured")
        failing = knobs.fail_refunds > 0
        knobs.fail_refunds -= 1 if failing else 0
        refund = {"id": _new_id("rfnd"), "entity": "refund", "amount": amount,
                  "currency": "INR", "payment_id": payment_id, "notes": data.get("notes") or {},
                  "receipt": None, "acquirer_data": {"arn": None},
                  "created_at": int(time.time()), "batch_id": None, "status": "pending",
                  "speed_processed": "normal", "speed_requested": data.get("speed", "normal"),
                  "_fail": failing}
        STATE.refunds[refund["id"]] = refund
        STATE.owner[refund["id"]] = merchant.key_id
        if key:
            STATE.refund_keys[(merchant.key_id, key)] = (raw, refund["id"])
        payment["amount_refunded"] += amount
        fault = knobs.refund_faults.pop(0) if knobs.refund_faults else None
        answer = _public(refund)
    threading.Thread(target=_finish_refund, args=(merchant, refund["id"]), daemon=True).start()
    return _error(fault, "Injected fault") if fault else JSONResponse(answer)


def _finish_refund(merchant: Merchant, refund_id: str) -> None:
    """The bank's word on a refund: `refund.processed` (or `refund.failed`), signed."""
    with STATE.lock:
        refund = STATE.refunds[refund_id]
        payment = STATE.payments[refund["payment_id"]]
        if refund.pop("_fail"):
            refund["status"] = "failed"
            payment["amount_refunded"] -= refund["amount"]
        else:
            refund["status"] = "processed"
            full = payment["amount_refunded"] >= payment["amount"]
            payment.update(refund_status="full" if full else "partial",
                           status="refunded" if full else payment["status"])
        event = "refund.failed" if refund["status"] == "failed" else "refund.processed"
        envelope = _envelope(event, {"refund": dict(refund), "payment": _public(payment)})
    _deliver(merchant, [envelope])


def _envelope(event: str, payload: dict[str, Any]) -> dict[str, Any]:
    """A webhook body in Razorpay's envelope."""
    return {"entity": "event", "account_id": "acc_Sim0000000000", "event": event,
            "contains": list(payload), "payload": {k: {"entity": v} for k, v in
                                                   payload.items()},
            "created_at": int(time.time())}


def sign(body: bytes, secret: str) -> str:
    """X-Razorpay-Signature: HMAC-SHA256 of the raw body under the webhook secret, hex."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _deliver(merchant: Merchant, events: list[dict[str, Any]]) -> None:
    """Post the events (per the knobs), each signed, with its own event id."""
    if knobs.drop:
        return
    if knobs.webhook_delay:
        time.sleep(knobs.webhook_delay)
    ordered = list(reversed(events)) if knobs.reverse else events
    with httpx.Client(timeout=10) as client:
        for envelope in ordered:
            body = json.dumps(envelope).encode()
            event_id = secrets.token_hex(8)
            for _ in range(2 if knobs.duplicate else 1):
                headers = {"content-type": "application/json",
                           "x-razorpay-signature": sign(body, merchant.webhook_secret),
                           "x-razorpay-event-id": event_id}
                try:
                    status = client.post(merchant.webhook_url, content=body,
                                         headers=headers).status_code
                except httpx.HTTPError:
                    status = 0
                with STATE.lock:
                    STATE.sent.append({"event": envelope["event"], "event_id": event_id,
                                       "status": status})


def pay(entity_id: str, *, amount: int | None = None, fail: bool | None = None,
        vpa: str = "citizen@okaxis", wait: bool = True) -> dict[str, Any]:
    """Pay a link or QR by UPI as a citizen would; the payment entity. `amount` other than
    the fixed amount simulates a tampered or partial payment reaching us."""
    with STATE.lock:
        link, qr = STATE.links.get(entity_id), STATE.qrs.get(entity_id)
        target = link or qr
        if target is None:
            raise KeyError(entity_id)
        merchant = _merchant(STATE.owner[entity_id])
        if fail is None and knobs.fail_payments > 0:
            knobs.fail_payments -= 1
            fail = True
        due = target.get("amount") if link else target.get("payment_amount")
        now = int(time.time())
        payment_id = _new_id("pay")
        payment: dict[str, Any] = {
            "id": payment_id, "entity": "payment", "amount": amount or due, "currency": "INR",
            "status": "failed" if fail else "captured", "order_id": _new_id("order"),
            "invoice_id": None, "international": False, "method": "upi",
            "amount_refunded": 0, "refund_status": None, "captured": not fail,
            "description": target.get("description", ""), "vpa": vpa, "email": "",
            "contact": "+919876500001", "notes": target.get("notes") or {}, "fee": 0,
            "tax": 0, "error_code": "BAD_REQUEST_ERROR" if fail else None,
            "error_description": "Payment was unsuccessful" if fail else None,
            "acquirer_data": {"rrn": str(secrets.randbelow(10**12))}, "created_at": now,
            "_qr": entity_id if qr else None}
        STATE.payments[payment_id] = payment
        STATE.owner[payment_id] = STATE.owner[entity_id]
        public = {k: v for k, v in payment.items() if not k.startswith("_")}
        if fail:
            events = [_envelope("payment.failed", {"payment": public})]
        elif link is not None:
            link.update(status="paid", amount_paid=public["amount"],
                        order_id=public["order_id"], updated_at=now,
                        payments=[{"amount": public["amount"], "created_at": now,
                                   "method": "upi", "payment_id": payment_id,
                                   "status": "captured"}])
            order = {"id": public["order_id"], "entity": "order", "amount": due,
                     "amount_paid": public["amount"], "amount_due": 0, "currency": "INR",
                     "receipt": link["reference_id"], "status": "paid", "attempts": 1,
                     "notes": link["notes"], "created_at": now}
            events = [_envelope("payment.captured", {"payment": public}),
                      _envelope("order.paid", {"payment": public, "order": order}),
                      _envelope("payment_link.paid", {"payment_link": dict(link),
                                                      "order": order, "payment": public})]
        else:
            assert qr is not None
            qr.update(status="closed", closed_at=now, close_reason="paid",
                      payments_amount_received=public["amount"], payments_count_received=1)
            events = [_envelope("payment.captured", {"payment": public}),
                      _envelope("qr_code.credited", {"qr_code": dict(qr), "payment": public}),
                      _envelope("qr_code.closed", {"qr_code": dict(qr)})]
    if merchant is not None:
        sender = threading.Thread(target=_deliver, args=(merchant, events), daemon=True)
        sender.start()
        if wait:
            sender.join()
    return public


def _page(body: str) -> HTMLResponse:
    """A minimal page of the simulated checkout."""
    return HTMLResponse(f"<!doctype html><html lang=en><meta charset=utf-8>"
                        f"<meta name=viewport content='width=device-width'>"
                        f"<title>Razorpay (simulated)</title><body>{body}</body></html>")


@router.get("/pay/{entity_id}")
async def pay_page(entity_id: str) -> HTMLResponse:
    """The simulated checkout: the amount and a button to pay by UPI."""
    with STATE.lock:
        target = STATE.links.get(entity_id) or STATE.qrs.get(entity_id)
    if target is None:
        return _page("<p>Unknown link</p>")
    amount = int(target.get("amount") or target.get("payment_amount") or 0)
    status = html.escape(str(target["status"]))
    return _page(f"<h1>Pay ₹{rupees_text(amount)}</h1>"
                 f"<p>{html.escape(str(target.get('description', '')))}</p>"
                 f"<p id=status>{status}</p>"
                 f"<form method=post><input name=vpa value='citizen@okaxis'>"
                 f"<button name=outcome value=success id=pay>Pay by UPI</button>"
                 f"<button name=outcome value=fail id=fail>Fail</button></form>")


@router.post("/pay/{entity_id}")
async def pay_submit(entity_id: str, outcome: str = Form("success"),
                     vpa: str = Form("citizen@okaxis")) -> HTMLResponse:
    """Complete the payment from the page; the webhooks go out in the background."""
    with STATE.lock:
        target = STATE.links.get(entity_id) or STATE.qrs.get(entity_id)
    if target is None or target["status"] not in ("created", "active"):
        return _page("<p id=status>not payable</p>")
    payment = await run_in_threadpool(lambda: pay(entity_id, fail=outcome == "fail",
                                                  vpa=vpa[:60], wait=False))
    return _page(f"<p id=status>{html.escape(payment['status'])}</p>"
                 f"<p>{html.escape(payment['id'])}</p>")


RECON_PAGE = 1000
"""The recon report's largest page (`count`)."""


def add_recon_item(key_id: str, item: dict[str, Any]) -> None:
    """Put one line (a refund, an adjustment, a line on hold …) into a merchant's report."""
    with STATE.lock:
        STATE.recon.append({**item, "_owner": key_id})


def settle(payment_ids: list[str], *, day: date, fee_bps: int = 200,
           on_hold: frozenset[str] = frozenset(), utr: str | None = None) -> dict[str, Any]:
    """Settle captured payments on a day: a recon line each (fee at `fee_bps`, GST 18% on
    it), one settlement id and UTR; a payment in `on_hold` is listed unsettled, on hold."""
    settlement_id, utr = _new_id("setl"), utr or secrets.token_hex(8)
    settled_at = int(datetime.combine(day, dt_time(12, 0), IST).timestamp())
    total = 0
    with STATE.lock:
        for payment_id in payment_ids:
            payment = STATE.payments[payment_id]
            amount = int(payment["amount"])
            fee = (amount * fee_bps + 5000) // 10000
            tax = (fee * 18 + 50) // 100
            held = payment_id in on_hold
            total += 0 if held else amount - fee - tax
            STATE.recon.append({
                "entity_id": payment_id, "type": "payment", "debit": 0,
                "credit": amount - fee - tax, "amount": amount, "currency": "INR", "fee": fee,
                "tax": tax, "on_hold": held, "settled": not held,
                "created_at": payment["created_at"],
                "settled_at": None if held else settled_at,
                "settlement_id": None if held else settlement_id,
                "posted_at": None, "credit_type": "default", "description": "",
                "notes": payment.get("notes") or {}, "payment_id": None,
                "settlement_utr": None if held else utr, "order_id": payment.get("order_id"),
                "order_receipt": None, "method": payment.get("method", "upi"),
                "card_network": None, "card_issuer": None, "card_type": None,
                "dispute_id": None, "_owner": STATE.owner[payment_id]})
    return {"id": settlement_id, "utr": utr, "amount": total}


def _recon_day(item: dict[str, Any]) -> date | None:
    """The IST day a line was settled (its creation day while unsettled)."""
    moment = item.get("settled_at") or item.get("created_at")
    return datetime.fromtimestamp(int(moment), IST).date() if moment else None


@router.get("/v1/settlements/recon/combined")
async def recon_combined(request: Request, year: int, month: int, day: int | None = None,
                         count: int = 100, skip: int = 0) -> JSONResponse:
    """The settlement recon report of a day (or a month), `count` lines after `skip`."""
    merchant = _auth(request)
    if isinstance(merchant, JSONResponse):
        return merchant
    if not 1 <= count <= RECON_PAGE or skip < 0:
        return _error(400, "count must be between 1 and 1000")
    with STATE.lock:
        mine = [item for item in STATE.recon if item["_owner"] == merchant.key_id]
    chosen = []
    for item in mine:
        when = _recon_day(item)
        if when and when.year == year and when.month == month and day in (None, when.day):
            chosen.append({k: v for k, v in item.items() if not k.startswith("_")})
    page = chosen[skip:skip + count]
    return JSONResponse({"entity": "collection", "count": len(page), "items": page})
