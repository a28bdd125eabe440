"""Reading receipts back: a citizen's own ("my payments"), and a number someone checks."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from payments.receipts.issue import signed_fields
from payments.receipts.models import Receipt, ReceiptKey
from payments.receipts.signing import verify
from services.security.crypto import Crypto

MAX_RECENT = 20


def recent_receipts(db: Session, *, tenant_id: str, contact_id: str,
                    limit: int = 5) -> list[Receipt]:
    """The contact's latest receipts in one city, newest first: a citizen sees only theirs."""
    return list(db.scalars(
        select(Receipt).where(Receipt.tenant_id == tenant_id, Receipt.contact_id == contact_id)
        .order_by(Receipt.issued_at.desc(), Receipt.number.desc())
        .limit(max(1, min(limit, MAX_RECENT)))))


def payer_name(crypto: Crypto, receipt: Receipt) -> str | None:
    """The payer's name in clear."""
    return crypto.decrypt(receipt.payer_name_enc) if receipt.payer_name_enc else None


@dataclass(frozen=True)
class Verdict:
    """What a verification found: the receipt when the signature given is its own and it
    verifies under the tenant's published key."""

    genuine: bool
    receipt: Receipt | None = None
    key: ReceiptKey | None = None


def check(db: Session, crypto: Crypto, number: str, signature: str) -> Verdict:
    """Whether a number and signature are a genuine receipt (a changed row fails too: the
    stored fields are verified again under the public key)."""
    for receipt in db.scalars(select(Receipt).where(Receipt.number == number)):
        if not hmac.compare_digest(receipt.signature.encode(), signature.encode()):
            continue
        key = db.scalar(select(ReceiptKey).where(ReceiptKey.id == receipt.key_id,
                                                 ReceiptKey.tenant_id == receipt.tenant_id))
        fields = signed_fields(receipt, payer_name(crypto, receipt))
        if key is not None and verify(key.public_key, fields, signature):
            return Verdict(True, receipt, key)
    return Verdict(False)


def mask(value: str) -> str:
    """A consumer number with all but its last four characters hidden (at least half)."""
    shown = min(4, len(value) // 2)
    return "x" * (len(value) - shown) + value[len(value) - shown:]
