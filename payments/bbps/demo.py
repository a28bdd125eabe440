"""The demo city's simulated BBPS billers (property tax and water), called from loopback."""

from __future__ import annotations

import secrets

from sqlalchemy.orm import Session

from payments.bbps.billers import active_biller, add_biller
from services.security.crypto import Crypto

DEMO_SERVICES = ("property_tax", "water")
LOOPBACK = ["127.0.0.1/32", "::1/128"]


def seed_demo_billers(db: Session, crypto: Crypto, tenant_id: str) -> None:
    """A simulated biller per demo service, with random JWT credentials (made once)."""
    for service in DEMO_SERVICES:
        if active_biller(db, tenant_id, service) is None:
            add_biller(db, crypto, actor="system:demo", tenant_id=tenant_id, service=service,
                       auth="jwt", config={"scheme_id": secrets.token_hex(8),
                                           "secret": secrets.token_hex(24)},
                       allowed_ips=LOOPBACK, name=f"Demo {service} (simulated)",
                       simulated=True)
