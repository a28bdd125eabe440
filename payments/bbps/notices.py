"""`/notifications`: settlement notices stored once each, for the reconciliation side.

The body carries `events`, each with its own `id`, `type` (`BILL_SETTLEMENT_STATUS`),
`timeStamp` (epoch milliseconds) and `data` (`amountSettled` in paise, `platformBillIds`,
`status`, `transactionId` — the bank's UTR). An event already stored is skipped (the
aggregator retries), an unknown type is stored and acknowledged, a malformed one refused.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from payments.bbps.errors import BbpsError
from payments.bbps.models import BbpsBiller, BbpsNotification
from payments.bbps.wire import text

MAX_EVENTS = 500


def _when(stamp: Any) -> datetime | None:
    """Epoch milliseconds (or an ISO string) as an aware datetime, or None."""
    if isinstance(stamp, int) and not isinstance(stamp, bool):
        return datetime.fromtimestamp(stamp / 1000, UTC)
    if isinstance(stamp, str):
        try:
            moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        except ValueError:
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return None


def _row(biller: BbpsBiller, event: Any) -> BbpsNotification:
    """One event as a row; BbpsError when it has no id or a malformed amount."""
    if not isinstance(event, dict):
        raise BbpsError("malformed-request", "events must be objects.")
    given = event.get("data")
    data: dict[str, Any] = given if isinstance(given, dict) else {}
    settled = data.get("amountSettled")
    value = settled.get("value") if isinstance(settled, dict) else None
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise BbpsError("invalid-param", "amountSettled.value must be paise.")
    ids = data.get("platformBillIds")
    return BbpsNotification(
        tenant_id=biller.tenant_id, biller_id=biller.id,
        event_id=text(event, "id", 100, required=True),
        event_type=text(event, "type", 64) or "unknown",
        status=text(data, "status", 64), amount_paise=value,
        platform_bill_ids=[str(i) for i in ids][:1000] if isinstance(ids, list) else [],
        transaction_id=text(data, "transactionId", 64), event_at=_when(event.get("timeStamp")))


def record_notifications(db: Session, biller: BbpsBiller, body: dict[str, Any]) -> int:
    """Store the body's new events (in the caller's transaction); how many were new."""
    events = body.get("events")
    if not isinstance(events, list) or not events or len(events) > MAX_EVENTS:
        raise BbpsError("malformed-request", "events is missing.")
    rows = [_row(biller, event) for event in events]
    new = 0
    for row in rows:
        try:
            with db.begin_nested():
                db.add(row)
            new += 1
        except IntegrityError:
            pass  # delivered before: it had its one effect
    return new
