"""The exact bytes a receipt signature covers (documented in docs/payments-receipts.md).

UTF-8 JSON of the fields below, keys sorted, no spaces, non-ASCII as is, times in UTC to the
second with `Z`, money as integer paise, after the domain prefix `nagarsetu-receipt-v1\\n`.
Anyone holding the printed receipt and the tenant's public key can rebuild it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

PREFIX = b"nagarsetu-receipt-v1\n"


def utc_text(moment: datetime) -> str:
    """A moment as `2026-05-04T10:20:30Z` (naive values are UTC)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class SignedFields:
    """What a receipt signature covers, and nothing else."""

    number: str
    tenant_id: str
    service: str
    bill_ref: str
    consumer_no: str
    amount_paise: int
    paid_at: datetime
    method: str
    gateway_payment_id: str
    payer_name: str | None
    key_id: str
    issued_at: datetime

    def as_dict(self) -> dict[str, object]:
        """The fields as the JSON object that is signed."""
        return {"v": 1, "number": self.number, "tenant": self.tenant_id,
                "service": self.service, "bill": self.bill_ref,
                "consumer": self.consumer_no, "amount_paise": self.amount_paise,
                "paid_at": utc_text(self.paid_at), "method": self.method,
                "gateway_payment_id": self.gateway_payment_id, "payer": self.payer_name,
                "key_id": self.key_id, "issued_at": utc_text(self.issued_at)}

    def message(self) -> bytes:
        """The signed bytes."""
        return PREFIX + json.dumps(self.as_dict(), sort_keys=True, ensure_ascii=False,
                                   separators=(",", ":")).encode()
