"""Razorpay through its SDK: payment links, single-use fixed-amount UPI QR codes, fetches.

The SDK's `base_url` points at the simulator in development and tests (config `base_url`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import razorpay
import requests
from razorpay.errors import BadRequestError, GatewayError, ServerError

from payments.gateway import (
    Checkout,
    CheckoutRequest,
    GatewayPayment,
    GatewayRefund,
    PaymentState,
)
from payments.gateway import GatewayError as NeutralError

TIMEOUT = 10.0
REQUIRED = ("key_id", "key_secret", "webhook_secret")
_STATES = {"captured": PaymentState.CAPTURED, "failed": PaymentState.FAILED,
           "refunded": PaymentState.REFUNDED}


def check_config(config: dict[str, Any]) -> None:
    """Key id, key secret and webhook secret are all needed (ValueError `missing_<key>`)."""
    for key in REQUIRED:
        if not str(config.get(key, "")).strip():
            raise ValueError(f"missing_{key}")


def _when(epoch: Any) -> datetime | None:
    """A Razorpay timestamp (seconds) as an aware datetime."""
    return datetime.fromtimestamp(int(epoch), UTC) if epoch else None


def refund_of(entity: dict[str, Any]) -> GatewayRefund:
    """A Razorpay refund entity in neutral terms (our row's id from its notes)."""
    given = entity.get("notes")
    notes: dict[str, Any] = given if isinstance(given, dict) else {}
    return GatewayRefund(refund_id=str(entity["id"]), payment_id=str(entity["payment_id"]),
                         amount_paise=int(entity["amount"]), state=str(entity.get("status")),
                         our_id=str(notes["refund_id"]) if notes.get("refund_id") else None)


def payment_of(entity: dict[str, Any]) -> GatewayPayment:
    """A Razorpay payment entity in neutral terms."""
    state = _STATES.get(str(entity.get("status")), PaymentState.OTHER)
    refunded = int(entity.get("amount_refunded") or 0)  # a partly refunded one stays captured
    return GatewayPayment(payment_id=str(entity["id"]), amount_paise=int(entity["amount"]),
                          state=state, method=str(entity.get("method") or ""),
                          paid_at=_when(entity.get("captured_at") or entity.get("created_at")),
                          refunded_paise=refunded)


class _TimeoutSession(requests.Session):
    """A requests session that never waits for ever (the SDK passes no timeout)."""

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        """Every call with a timeout."""
        kwargs.setdefault("timeout", TIMEOUT)
        return super().request(*args, **kwargs)


class Gateway:
    """One city's Razorpay account."""

    def __init__(self, config: dict[str, Any]) -> None:
        check_config(config)
        options: dict[str, Any] = {}
        if config.get("base_url"):
            options["base_url"] = str(config["base_url"]).rstrip("/")
        self.client = razorpay.Client(session=_TimeoutSession(),
                                      auth=(str(config["key_id"]), str(config["key_secret"])),
                                      **options)

    def _call(self, method: Any, *args: Any) -> Any:
        """An SDK call; its errors and connection failures as our GatewayError."""
        try:
            return method(*args)
        except BadRequestError:
            raise NeutralError("refused") from None
        except (GatewayError, ServerError):
            raise NeutralError("bad_answer") from None
        except (requests.RequestException, ValueError):
            raise NeutralError("unreachable") from None

    def create_checkout(self, request: CheckoutRequest) -> Checkout:
        """A payment link (reference_id = attempt id, expire_by) and a UPI QR for the amount."""
        notes = {"attempt_id": request.attempt_id, "bill": request.reference}
        expire_by = int(request.expire_at.timestamp())
        link = self._call(self.client.payment_link.create, {
            "amount": request.amount_paise, "currency": "INR", "accept_partial": False,
            "reference_id": request.attempt_id, "description": request.description[:2048],
            "expire_by": expire_by, "upi_link": True, "reminder_enable": False,
            "notify": {"sms": False, "email": False}, "notes": notes})
        qr = self._call(self.client.qrcode.create, {
            "type": "upi_qr", "name": request.reference[:40], "usage": "single_use",
            "fixed_amount": True, "payment_amount": request.amount_paise,
            "description": request.description[:100], "close_by": expire_by, "notes": notes})
        return Checkout(link_id=str(link["id"]), link_url=str(link["short_url"]),
                        qr_id=str(qr["id"]) if qr.get("id") else None,
                        qr_content=qr.get("image_content"))

    def payments_for(self, link_id: str | None, qr_id: str | None) -> list[GatewayPayment]:
        """Payments on the link (its `payments`, each fetched) and on the QR."""
        found: dict[str, GatewayPayment] = {}
        if link_id:
            link = self._call(self.client.payment_link.fetch, link_id)
            for entry in link.get("payments") or []:
                pid = entry.get("payment_id") or entry.get("id")
                if pid:
                    found[pid] = payment_of(self._call(self.client.payment.fetch, pid))
        if qr_id:
            listing = self._call(self.client.qrcode.fetch_all_payments, qr_id)
            for entity in listing.get("items") or []:
                found[str(entity["id"])] = payment_of(entity)
        return list(found.values())

    def close(self, link_id: str | None, qr_id: str | None) -> None:
        """Cancel the link and close the QR; one already paid, expired or closed is fine."""
        for method, key in ((self.client.payment_link.cancel, link_id),
                            (self.client.qrcode.close, qr_id)):
            if key:
                try:
                    self._call(method, key)
                except NeutralError as exc:
                    if exc.code != "refused":
                        raise

    def refund(self, payment_id: str, amount_paise: int, *, key: str,
               notes: dict[str, str]) -> GatewayRefund:
        """A normal refund through the SDK, `X-Refund-Idempotency: key` (a retry with the same
        key and body gets the first refund back, never a second)."""
        entity = self._call(lambda: self.client.payment.refund(
            payment_id, {"amount": amount_paise, "speed": "normal", "notes": notes},
            headers={"X-Refund-Idempotency": key}))
        return refund_of(entity)
