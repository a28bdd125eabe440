"""The gateway contract: what the ledger asks of a payment gateway, in neutral types.

A gateway package (`payments/razorpay/`) has `gateway.py` (class `Gateway`: checkouts and
fetching payments through the SDK) and `webhook.py` (verify and parse into `GatewayNotice`);
`payments.gateways` names them. Amounts are integer paise; nothing here knows a provider.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol


class GatewayError(Exception):
    """A gateway call that failed (`code`: `unreachable`, `refused`, `bad_answer`)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class WebhookRejected(Exception):
    """A webhook that is not the gateway's (`forged_signature`) or not readable (`malformed`)."""

    def __init__(self, code: str, http_status: int = 400) -> None:
        super().__init__(code)
        self.code = code
        self.http_status = http_status


@dataclass(frozen=True)
class CheckoutRequest:
    """What to collect: our attempt id as the reference, the bill's amount, until when."""

    attempt_id: str
    amount_paise: int
    description: str
    expire_at: datetime
    reference: str
    """The bill number (shown to the payer by the gateway)."""


@dataclass(frozen=True)
class Checkout:
    """Where the citizen pays: a link and a single-use fixed-amount UPI QR (its content)."""

    link_id: str
    link_url: str
    qr_id: str | None
    qr_content: str | None


class PaymentState(StrEnum):
    """A gateway payment's state, as far as the ledger cares."""

    CAPTURED = "captured"
    FAILED = "failed"
    REFUNDED = "refunded"
    OTHER = "other"


@dataclass(frozen=True)
class GatewayPayment:
    """One payment seen at the gateway (a webhook's entity or a fetched one)."""

    payment_id: str
    amount_paise: int
    state: PaymentState
    method: str
    paid_at: datetime | None
    refunded_paise: int = 0
    payer_name: str | None = None


class NoticeKind(StrEnum):
    """What a webhook says happened."""

    CAPTURED = "captured"
    FAILED = "failed"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    CLOSED = "closed"
    REFUNDED = "refunded"
    REFUND_FAILED = "refund_failed"
    IGNORED = "ignored"


@dataclass(frozen=True)
class GatewayRefund:
    """A refund as the gateway reports it (`state`: `pending`, `processed`, `failed`)."""

    refund_id: str
    payment_id: str
    amount_paise: int
    state: str
    our_id: str | None = None
    """Our refund row's id, from the refund's notes."""


@dataclass(frozen=True)
class GatewayNotice:
    """A verified webhook, translated: which attempt (by any id we keep) and what happened."""

    event: str
    kind: NoticeKind
    attempt_id: str | None = None
    link_id: str | None = None
    qr_id: str | None = None
    payment: GatewayPayment | None = None
    refund_id: str | None = None
    refund: GatewayRefund | None = None


class PaymentGateway(Protocol):
    """One city's account at a gateway, ready to call."""

    def create_checkout(self, request: CheckoutRequest) -> Checkout:
        """A payment link (reference = attempt id, expiring) and a single-use UPI QR."""
        ...

    def payments_for(self, link_id: str | None, qr_id: str | None) -> list[GatewayPayment]:
        """Every payment made on this link or QR so far (the safety net's question)."""
        ...

    def close(self, link_id: str | None, qr_id: str | None) -> None:
        """Stop a link and a QR taking money (best effort: an already closed one is fine)."""
        ...

    def refund(self, payment_id: str, amount_paise: int, *, key: str,
               notes: dict[str, str]) -> GatewayRefund:
        """Refund part or all of a payment; the same `key` and body again return the same
        refund (never a second one)."""
        ...


class WebhookVerifier(Protocol):
    """Checks and reads a gateway's webhook."""

    def __call__(self, body: bytes, headers: dict[str, str], secret: str) -> tuple[str,
                                                                                   GatewayNotice]:
        """(the gateway's event id, the notice); WebhookRejected when forged or malformed."""
        ...


AccountConfig = dict[str, Any]
