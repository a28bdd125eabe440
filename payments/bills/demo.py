"""The demo city's bills: consumer-number formats and bills of a few consumers (some overdue,
some paid), from `demo_bills.json`. Idempotent: a bill is added once (by its number), with
dates counted from the day it is first seeded, so the demo always has bills due and overdue.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from payments.models import Bill, NumberFormat
from services.db.base import IST, utcnow
from services.security.crypto import Crypto

DATA = Path(__file__).with_name("demo_bills.json")


def _today() -> date:
    """Today in India."""
    return utcnow().astimezone(IST).date()


def seed_demo_bills(db: Session, crypto: Crypto, tenant_id: str) -> None:
    """Add the demo formats and bills that are missing."""
    data: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    for service, spec in data["formats"].items():
        found = db.scalar(select(NumberFormat).where(NumberFormat.tenant_id == tenant_id,
                                                     NumberFormat.service == service))
        if found is None:
            db.add(NumberFormat(tenant_id=tenant_id, service=service, pattern=spec["pattern"],
                                example=spec["example"]))
    have = set(db.scalars(select(Bill.bill_no).where(Bill.tenant_id == tenant_id)))
    today = _today()
    for spec in data["bills"]:
        if spec["bill_no"] in have:
            continue
        start = today + timedelta(days=spec["start_days"])
        items = [{"head": head, "amount_paise": amount} for head, amount in spec["items"]]
        paid = spec["status"] == "paid"
        db.add(Bill(
            tenant_id=tenant_id, service=spec["service"], consumer_no=spec["consumer_no"],
            bill_no=spec["bill_no"], period_start=start,
            period_end=start + timedelta(days=30 * spec["period_months"] - 1), items=items,
            amount_paise=sum(item["amount_paise"] for item in items),
            due_date=today + timedelta(days=spec["due_days"]), status=spec["status"],
            mobile_hash=crypto.lookup_hash(spec["mobile"]) if spec["mobile"] else None,
            mobile_enc=crypto.encrypt(spec["mobile"]) if spec["mobile"] else None,
            payer_name_enc=crypto.encrypt(spec["name"]) if spec["name"] else None,
            paid_at=utcnow() if paid else None, payment_ref="demo-offline" if paid else None))
    db.flush()
