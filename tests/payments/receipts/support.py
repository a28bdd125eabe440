"""A migrated database with two cities and a key ring, for the receipt tests."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from payments.receipts.issue import ReceiptInput, bind_crypto
from services.db.engine import make_engine, make_sessionmaker
from services.db.migrate import upgrade
from services.security.crypto import Crypto
from services.tenancy.models import Tenant

PAID = datetime(2026, 11, 20, 9, 30, 15, tzinfo=UTC)


@contextmanager
def receipt_db(url: str) -> Iterator[tuple[sessionmaker[Session], Crypto]]:
    """Sessions on a migrated database holding pb, pb.amritsar (PB-AMR) and pb.ludhiana."""
    upgrade(url)
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    crypto = Crypto(secrets.token_hex(32))
    bind_crypto(sessions, crypto)
    with sessions() as db:
        db.add(Tenant(id="pb", code="PB", names={"en": "Punjab"}, languages=[]))
        db.flush()
        db.add_all([Tenant(id="pb.amritsar", parent_id="pb", code="PB-AMR",
                           names={"en": "Amritsar", "hi": "अमृतसर"}, languages=[]),
                    Tenant(id="pb.ludhiana", parent_id="pb", code="PB-LDH",
                           names={"en": "Ludhiana"}, languages=[])])
        db.commit()
    try:
        yield sessions, crypto
    finally:
        engine.dispose()


def payment(ref: str | None = None, **changes: object) -> ReceiptInput:
    """A captured property-tax payment of ₹12,34,567.50 in Amritsar."""
    values: dict[str, object] = dict(
        tenant_id="pb.amritsar", service="property_tax", payment_ref=ref or secrets.token_hex(8),
        bill_ref="BILL-2026-0042", consumer_no="PT-0042-7781", amount_paise=123456750,
        paid_at=PAID, method="upi", gateway_payment_id="pay_" + secrets.token_hex(7),
        payer_name="Harpreet Kaur")
    values.update(changes)
    return ReceiptInput(**values)  # type: ignore[arg-type]
