"""Razorpay webhooks for a benchmark: documented shapes, signed as Razorpay signs them.

Each payment of a seeded attempt gets one webhook in the shape Razorpay documents for it
(`payment_link.paid` for a link payment, `qr_code.credited` for a QR payment: the event
envelope with `payload.<entity>.entity`), its body signed by `X-Razorpay-Signature` (HMAC-SHA256
of the raw body under the webhook secret, hex) and named by a fresh `X-Razorpay-Event-Id`.
A share of the payments is delivered twice: half of those as a retry of the same event (same
id, same body, as Razorpay retries), half as the companion `payment.captured` event Razorpay
also sends for the same payment (another id). The whole burst is shuffled.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import secrets
from dataclasses import dataclass
from typing import Any

from bench.load import Shot

CONTENT_TYPE = "application/json"
CREATED_AT = 1_764_000_000
"""A fixed epoch second for the entities' `created_at` (the ledger's paid-at)."""


@dataclass(frozen=True)
class Payment:
    """One seeded attempt and the gateway's ids for its link, QR and payment."""

    attempt_id: str
    link_id: str
    qr_id: str
    payment_id: str
    amount_paise: int
    by_qr: bool
    """Paid by scanning the QR (else on the payment link)."""


@dataclass(frozen=True)
class Webhook:
    """One delivery of the burst: which payment, which event, its id."""

    payment: int
    event: str
    event_id: str
    shot: Shot


def new_payment(attempt_id: str, amount_paise: int, by_qr: bool) -> Payment:
    """A payment with fresh gateway ids in Razorpay's formats (`plink_`, `qr_`, `pay_`)."""
    return Payment(attempt_id, "plink_" + secrets.token_hex(7), "qr_" + secrets.token_hex(7),
                   "pay_" + secrets.token_hex(7), amount_paise, by_qr)


def sign(body: bytes, secret: str) -> str:
    """X-Razorpay-Signature: HMAC-SHA256 of the raw body under the webhook secret, hex."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _payment_entity(p: Payment) -> dict[str, Any]:
    """The payment entity (a captured UPI payment), notes naming our attempt."""
    return {"id": p.payment_id, "entity": "payment", "amount": p.amount_paise,
            "currency": "INR", "status": "captured", "order_id": None, "invoice_id": None,
            "international": False, "method": "upi", "amount_refunded": 0,
            "refund_status": None, "captured": True, "description": "bench",
            "card_id": None, "bank": None, "wallet": None, "vpa": "citizen@okaxis",
            "email": "void@razorpay.com", "contact": "+919000090000",
            "notes": {"attempt_id": p.attempt_id}, "fee": 0, "tax": 0, "error_code": None,
            "error_description": None, "error_source": None, "error_step": None,
            "error_reason": None, "acquirer_data": {"rrn": "416123456789"},
            "created_at": CREATED_AT, "upi": {"vpa": "citizen@okaxis"}}


def _envelope(event: str, payload: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Razorpay's event envelope."""
    return {"entity": "event", "account_id": "acc_Bench000000000", "event": event,
            "contains": list(payload), "payload": {k: {"entity": v} for k, v in payload.items()},
            "created_at": CREATED_AT + 8}


def envelope(p: Payment, event: str) -> dict[str, Any]:
    """The body of `payment_link.paid`, `qr_code.credited` or `payment.captured` for `p`."""
    payment = _payment_entity(p)
    if event == "payment.captured":
        return _envelope(event, {"payment": payment})
    if event == "qr_code.credited":
        return _envelope(event, {"payment": payment, "qr_code": {
            "id": p.qr_id, "entity": "qr_code", "created_at": CREATED_AT - 60,
            "name": "bench", "usage": "single_use", "type": "upi_qr",
            "payment_amount": p.amount_paise, "status": "closed", "fixed_amount": True,
            "payments_amount_received": p.amount_paise, "payments_count_received": 1,
            "notes": {"attempt_id": p.attempt_id}, "close_reason": "paid",
            "closed_at": CREATED_AT + 8}})
    if event == "payment_link.paid":
        return _envelope(event, {"payment_link": {
            "id": p.link_id, "accept_partial": False, "amount": p.amount_paise,
            "amount_paid": p.amount_paise, "currency": "INR", "status": "paid",
            "reference_id": p.attempt_id, "notes": {"attempt_id": p.attempt_id},
            "short_url": "https://rzp.io/rzp/bench", "upi_link": True,
            "created_at": CREATED_AT - 60, "updated_at": CREATED_AT + 8},
            "payment": payment})
    raise ValueError(event)


def first_event(p: Payment) -> str:
    """The event that says how the payment was made."""
    return "qr_code.credited" if p.by_qr else "payment_link.paid"


def _shot(p: Payment, event: str, event_id: str, secret: str, index: int) -> Shot:
    """The signed request."""
    body = json.dumps(envelope(p, event), separators=(",", ":")).encode()
    return Shot(body, {"Content-Type": CONTENT_TYPE, "X-Razorpay-Signature": sign(body, secret),
                       "X-Razorpay-Event-Id": event_id}, str(index))


def burst(payments: list[Payment], secret: str, *, duplicates: float = 0.10,
          seed: int = 12) -> list[Webhook]:
    """Every payment's webhook, `duplicates` of them delivered twice, all shuffled."""
    rng = random.Random(seed)
    out: list[Webhook] = []
    for i, p in enumerate(payments):
        event_id = "evt_" + secrets.token_hex(7)
        out.append(Webhook(i, first_event(p), event_id,
                           _shot(p, first_event(p), event_id, secret, i)))
    twice = rng.sample(range(len(payments)), round(len(payments) * duplicates))
    for n, i in enumerate(twice):
        if n % 2 == 0:  # Razorpay's retry: the same event again
            out.append(Webhook(i, out[i].event, out[i].event_id, out[i].shot))
        else:  # the companion event of the same payment
            event_id = "evt_" + secrets.token_hex(7)
            out.append(Webhook(i, "payment.captured", event_id,
                               _shot(payments[i], "payment.captured", event_id, secret, i)))
    rng.shuffle(out)
    return out
