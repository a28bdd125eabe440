"""Issuing a receipt for a captured payment, exactly once per `payment_ref`.

Runs inside the caller's transaction (the ledger and the bill change in the same one) and never
commits. The session must carry the key ring as `db.info["crypto"]` (every session of
`AppContext.sessions` does; see `bind_crypto`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from payments.receipts.canonical import SignedFields
from payments.receipts.models import Receipt
from payments.receipts.numbers import (
    ReceiptError,
    city_code,
    fiscal_year,
    format_number,
    next_sequence,
    service_code,
)
from payments.receipts.signing import current_key, sign
from services.db.base import aware, utcnow
from services.security.crypto import Crypto
from services.tenancy.models import Tenant


@dataclass(frozen=True)
class ReceiptInput:
    """A captured payment, as the payments side knows it (money in integer paise)."""

    tenant_id: str
    service: str
    payment_ref: str
    bill_ref: str
    consumer_no: str
    amount_paise: int
    paid_at: datetime
    method: str
    gateway_payment_id: str
    payer_name: str | None
    contact_id: str | None = None
    """The citizen who paid, when known: what "my payments" lists (optional)."""


def bind_crypto(sessions: sessionmaker[Session], crypto: Crypto) -> None:
    """Give every session of a factory the key ring receipts are signed under."""
    sessions.configure(info={"crypto": crypto})


def crypto_of(db: Session) -> Crypto:
    """The key ring a session carries (a programming error when it carries none)."""
    crypto = db.info.get("crypto")
    if not isinstance(crypto, Crypto):
        raise RuntimeError("session has no key ring: bind_crypto(sessions, crypto)")
    return crypto


def signed_fields(receipt: Receipt, payer_name: str | None) -> SignedFields:
    """What the receipt's signature covers."""
    return SignedFields(number=receipt.number, tenant_id=receipt.tenant_id,
                        service=receipt.service, bill_ref=receipt.bill_ref,
                        consumer_no=receipt.consumer_no, amount_paise=receipt.amount_paise,
                        paid_at=aware(receipt.paid_at), method=receipt.method,
                        gateway_payment_id=receipt.gateway_payment_id, payer_name=payer_name,
                        key_id=receipt.key_id, issued_at=aware(receipt.issued_at))


def _check(data: ReceiptInput) -> None:
    """Refuse input that cannot make a receipt (ReceiptError with a code)."""
    service_code(data.service)
    if data.amount_paise <= 0 or isinstance(data.amount_paise, bool):
        raise ReceiptError("invalid_amount")
    for value, limit in ((data.payment_ref, 64), (data.bill_ref, 64), (data.consumer_no, 64),
                         (data.method, 32), (data.gateway_payment_id, 64)):
        if not value or len(value) > limit:
            raise ReceiptError("invalid_field")


def _existing(db: Session, payment_ref: str) -> Receipt | None:
    """The receipt already issued for a payment, if any."""
    return db.scalar(select(Receipt).where(Receipt.payment_ref == payment_ref))


def issue_receipt(db: Session, data: ReceiptInput) -> Receipt:
    """The payment's receipt: issued, numbered and signed now, or the one issued before.

    Concurrent calls for one payment: the second waits on the counter row, then its insert
    meets the unique `payment_ref`; its savepoint is rolled back (giving the number back) and
    it returns the first receipt. ReceiptError for input that cannot make a receipt."""
    found = _existing(db, data.payment_ref)
    if found is not None:
        return found
    _check(data)
    crypto = crypto_of(db)
    tenant = db.get(Tenant, data.tenant_id)
    if tenant is None:
        raise ReceiptError("unknown_tenant")
    city = city_code(tenant.code)
    key = current_key(db, crypto, tenant.id)
    paid_at = aware(data.paid_at).astimezone(UTC).replace(microsecond=0)
    issued_at = utcnow().replace(microsecond=0)
    year = fiscal_year(paid_at)
    try:
        with db.begin_nested():
            sequence = next_sequence(db, tenant.id, data.service, year)
            receipt = Receipt(
                tenant_id=tenant.id, number=format_number(city, data.service, year, sequence),
                service=data.service, fiscal_year=year, sequence=sequence,
                payment_ref=data.payment_ref, bill_ref=data.bill_ref,
                consumer_no=data.consumer_no, amount_paise=data.amount_paise, paid_at=paid_at,
                method=data.method, gateway_payment_id=data.gateway_payment_id,
                payer_name_enc=crypto.encrypt(data.payer_name) if data.payer_name else None,
                contact_id=data.contact_id, key_id=key.id, signature="", issued_at=issued_at)
            receipt.signature = sign(crypto, key, signed_fields(receipt, data.payer_name))
            db.add(receipt)
            db.flush()
    except IntegrityError:
        found = _existing(db, data.payment_ref)
        if found is None:
            raise
        return found
    return receipt
