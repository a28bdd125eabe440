"""Razorpay webhooks: the signature checked with the SDK on the raw body, then translated.

`X-Razorpay-Signature` is HMAC-SHA256 of the body exactly as received, under the account's
webhook secret; the SDK's `verify_webhook_signature` wants the body as `str`. The event id is
`X-Razorpay-Event-Id` (the same on every retry of one event).
"""

from __future__ import annotations

import json
from typing import Any

from razorpay.errors import SignatureVerificationError
from razorpay.utility.utility import Utility

from payments.gateway import GatewayNotice, NoticeKind, WebhookRejected
from payments.razorpay.gateway import payment_of, refund_of

MAX_BODY = 256 * 1024
_KINDS = {
    "payment.captured": NoticeKind.CAPTURED,
    "order.paid": NoticeKind.CAPTURED,
    "payment_link.paid": NoticeKind.CAPTURED,
    "qr_code.credited": NoticeKind.CAPTURED,
    "payment.failed": NoticeKind.FAILED,
    "payment_link.expired": NoticeKind.EXPIRED,
    "payment_link.cancelled": NoticeKind.CANCELLED,
    "qr_code.closed": NoticeKind.CLOSED,
}


def _header(headers: dict[str, str], name: str) -> str:
    """A header, whatever its case."""
    wanted = name.lower()
    return next((v for k, v in headers.items() if k.lower() == wanted), "")


def _entity(payload: dict[str, Any], name: str) -> dict[str, Any]:
    """`payload.<name>.entity`, or {}."""
    part = payload.get(name)
    entity = part.get("entity") if isinstance(part, dict) else None
    return entity if isinstance(entity, dict) else {}


def verify_and_parse(body: bytes, headers: dict[str, str], secret: str,
                     ) -> tuple[str, GatewayNotice]:
    """(event id, notice) of a genuine webhook; WebhookRejected otherwise."""
    signature = _header(headers, "X-Razorpay-Signature")
    event_id = _header(headers, "X-Razorpay-Event-Id")
    if not signature or len(body) > MAX_BODY:
        raise WebhookRejected("forged_signature", 403)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise WebhookRejected("malformed", 400) from None
    try:
        Utility().verify_webhook_signature(text, signature, secret)
    except SignatureVerificationError:
        raise WebhookRejected("forged_signature", 403) from None
    if not event_id or len(event_id) > 100:
        raise WebhookRejected("missing_event_id", 400)
    try:
        envelope = json.loads(text)
        return event_id, parse(envelope)
    except (ValueError, KeyError, TypeError, AttributeError):
        raise WebhookRejected("malformed", 400) from None


def parse(envelope: dict[str, Any]) -> GatewayNotice:
    """A Razorpay event envelope as a neutral notice."""
    event = str(envelope["event"])
    payload = envelope.get("payload") or {}
    payment_entity = _entity(payload, "payment")
    link = _entity(payload, "payment_link")
    qr = _entity(payload, "qr_code")
    order = _entity(payload, "order")
    refund = _entity(payload, "refund")
    notes: dict[str, Any] = {}
    for source in (payment_entity, order, qr, link):
        if isinstance(source.get("notes"), dict):
            notes = {**source["notes"], **notes}
    attempt_id = link.get("reference_id") or notes.get("attempt_id")
    payment = payment_of(payment_entity) if payment_entity.get("id") else None
    if event.startswith("refund."):
        kind = {"refund.processed": NoticeKind.REFUNDED,
                "refund.failed": NoticeKind.REFUND_FAILED}.get(event, NoticeKind.IGNORED)
        return GatewayNotice(event, kind, attempt_id=attempt_id, payment=payment,
                             refund_id=str(refund.get("id") or "") or None,
                             refund=refund_of(refund) if refund.get("id") else None)
    kind = _KINDS.get(event, NoticeKind.IGNORED)
    if event == "qr_code.closed" and qr.get("close_reason") == "paid":
        kind = NoticeKind.IGNORED  # the credit says it all; closing after it changes nothing
    if kind is NoticeKind.CAPTURED and payment is None:
        raise KeyError("payment")
    return GatewayNotice(event, kind, attempt_id=str(attempt_id) if attempt_id else None,
                         link_id=str(link["id"]) if link.get("id") else None,
                         qr_id=str(qr["id"]) if qr.get("id") else None, payment=payment)
