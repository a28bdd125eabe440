"""The bill registry over DIGIT's billing-service, behind the `BillRegistry` protocol.

A lookup fetches the consumer's bills from `bill/v2/_fetchbill` (as the system user) and
mirrors each into our `bills` table with its platform id, so that payment attempts, the
ledger and receipts work exactly as for the built-in registry. `get` and `settle` read and
settle the mirror; the payment reaches the platform through `digit.payments` after the
gateway captures it. Amounts arrive as rupees (Decimal) and are kept as paise.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from i18n.normalize import normalize_digits
from payments.bills.builtin import BuiltinBills, view_of
from payments.bills.numbers import service_of, validate
from payments.bills.registry import BillError, BillService, BillStatus, BillView
from payments.models import Bill
from payments.money import MoneyError, paise
from services.connectors.connections import Settings
from services.connectors.digit.auth import as_system
from services.connectors.digit.client import DigitClient
from services.connectors.errors import Refused, Unavailable
from services.connectors.models import RemoteBill
from services.connectors.retry import retrying
from services.db.base import IST
from services.security.crypto import Crypto

log = logging.getLogger(__name__)
BUSINESS = {BillService.PROPERTY_TAX: "PT", BillService.WATER: "WS",
            BillService.SEWERAGE: "SW", BillService.TRADE_LICENCE: "TL"}
"""Our services as DIGIT business services."""
SERVICE = {code: service for service, code in BUSINESS.items()}


def amount_paise(value: Any) -> int:
    """A DIGIT amount (rupees, a JSON number read as Decimal) in paise; refused if odd."""
    number = Decimal(str(value if value is not None else 0))
    text = format(abs(number), "f")
    try:
        return -paise(text) if number < 0 else paise(text)
    except MoneyError as exc:
        raise Refused("platform_bad_amount") from exc


def day(millis: Any) -> date:
    """An epoch-milliseconds stamp as the city's calendar day."""
    return datetime.fromtimestamp(int(millis) / 1000, UTC).astimezone(IST).date()


class DigitBills:
    """One tenant's bills held by DIGIT, mirrored for payment."""

    def __init__(self, db: Session, crypto: Crypto, tenant_id: str, settings: Settings,
                 client: DigitClient | None = None) -> None:
        self.db = db
        self.crypto = crypto
        self.tenant_id = tenant_id
        self.client = client or DigitClient(settings)
        self._local = BuiltinBills(db, crypto, tenant_id)

    def _fetch(self, criteria: dict[str, Any]) -> list[dict[str, Any]]:
        """Bills from the platform, retried briefly; `BillError('platform_unavailable')`
        when it is down."""
        try:
            query = {"tenantId": self.tenant_id, **criteria}
            return retrying(lambda: as_system(
                self.client, lambda auth: self.client.fetch_bills(auth, query)))
        except Unavailable:
            raise BillError("platform_unavailable") from None
        except Refused as exc:
            log.warning("DIGIT refused a bill fetch for %s: %s", self.tenant_id, exc.code)
            raise BillError("platform_refused") from None

    def _mirror(self, bill: dict[str, Any]) -> Bill | None:
        """Keep a platform bill in `bills` (updated when it changed, never re-opened once
        paid here); None for a business service we do not serve."""
        service = SERVICE.get(str(bill.get("businessService") or ""))
        details = bill.get("billDetails") or []
        if service is None or not details:
            return None
        detail = details[0]
        items = [{"head": str(a.get("taxHeadCode") or "tax"),
                  "amount_paise": amount_paise(a.get("amount"))}
                 for d in details for a in d.get("billAccountDetails") or []]
        status = (BillStatus.UNPAID if str(bill.get("status") or "ACTIVE") == "ACTIVE"
                  else BillStatus.PAID if bill.get("status") == "PAID" else BillStatus.CANCELLED)
        bill_no = str(bill.get("billNumber") or bill["id"])
        row = self.db.scalar(select(Bill).where(Bill.tenant_id == self.tenant_id,
                                                Bill.service == service.value,
                                                Bill.bill_no == bill_no))
        values = {"consumer_no": str(bill.get("consumerCode") or ""),
                  "period_start": day(detail.get("fromPeriod") or bill.get("billDate") or 0),
                  "period_end": day(detail.get("toPeriod") or bill.get("billDate") or 0),
                  "items": items, "amount_paise": amount_paise(bill.get("totalAmount")),
                  "due_date": day(detail.get("expiryDate") or bill.get("billDate") or 0)}
        if row is None:
            row = Bill(tenant_id=self.tenant_id, service=service.value, bill_no=bill_no,
                       status=status.value, **values)
            if bill.get("payerName"):
                row.payer_name_enc = self.crypto.encrypt(str(bill["payerName"]))
            self.db.add(row)
            self.db.flush()
            self.db.add(RemoteBill(bill_id=row.id, tenant_id=self.tenant_id,
                                   remote_id=str(bill["id"]),
                                   business_service=str(bill["businessService"])))
        elif row.status == BillStatus.UNPAID.value:
            for key, value in values.items():
                setattr(row, key, value)
            row.status = status.value
        self.db.flush()
        return row

    def lookup(self, service: BillService | str, consumer_no: str) -> list[BillView]:
        """The consumer's bills as the platform has them now, newest period first."""
        kind = service_of(str(service))
        validate(self.db, self.tenant_id, kind, consumer_no)
        code = normalize_digits(consumer_no).strip().upper()
        found = self._fetch({"businessService": BUSINESS[kind], "consumerCode": code})
        rows = [row for row in (self._mirror(b) for b in found) if row is not None]
        rows.sort(key=lambda r: (r.period_start, r.id), reverse=True)
        return [view_of(row, self.crypto) for row in rows]

    def for_mobile(self, mobile_e164: str) -> list[BillView]:
        """Bills the platform holds for this mobile, every business service we serve."""
        digits = "".join(ch for ch in mobile_e164 if ch.isdigit())[-10:]
        rows = []
        for code in BUSINESS.values():
            rows += [r for r in (self._mirror(b) for b in self._fetch(
                {"businessService": code, "mobileNumber": digits})) if r is not None]
        rows.sort(key=lambda r: (r.period_start, r.service, r.id), reverse=True)
        return [view_of(row, self.crypto) for row in rows]

    def get(self, bill_id: str) -> BillView | None:
        """A mirrored bill of this tenant."""
        return self._local.get(bill_id)

    def settle(self, bill_id: str, *, payment_ref: str, amount_paise: int,
               paid_at: datetime) -> bool:
        """Settle the mirror (one conditional UPDATE); the platform hears of it through the
        payment posting queued with the receipt."""
        return self._local.settle(bill_id, payment_ref=payment_ref, amount_paise=amount_paise,
                                  paid_at=paid_at)
