"""A city's BBPS billers: credentials stored encrypted, an IP allow-list, the amount rule.

Shared by `nagarsetu payments bbps add|list|disable`; every change is in the configuration
log with the secrets redacted (like payments/accounts.py).
"""

from __future__ import annotations

import ipaddress
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from payments.bbps.models import BbpsBiller
from payments.bills.registry import BillService
from services.audit.record import record
from services.security.crypto import Crypto

SCHEMES = {"jwt": ("scheme_id", "secret"), "basic": ("username", "password")}
SECRET_FIELDS = ("secret", "password")
EXACTNESS = ("EXACT", "EXACT_UP")
"""What a bill accepts: its amount exactly, or at least its amount (an advance). Part
payments (`EXACT_DOWN`, `ANY`) are not offered: a bill is settled whole."""
DEFAULT_EXACTNESS = {BillService.PROPERTY_TAX: "EXACT", BillService.WATER: "EXACT_UP",
                     BillService.SEWERAGE: "EXACT", BillService.TRADE_LICENCE: "EXACT"}
"""The service's rule unless the city sets one: water may be paid in advance."""


class BillerError(Exception):
    """A biller configuration refused, with a code."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def redacted(config: dict[str, Any]) -> dict[str, Any]:
    """Credentials for display: secrets as ***."""
    return {k: ("***" if k in SECRET_FIELDS else v) for k, v in config.items()}


def _networks(entries: list[str]) -> list[str]:
    """The allow-list normalised (each an address or a CIDR network); BillerError if not."""
    networks = []
    for entry in entries:
        try:
            networks.append(str(ipaddress.ip_network(entry.strip(), strict=False)))
        except ValueError:
            raise BillerError("invalid_ip") from None
    if not networks:
        raise BillerError("no_allowed_ips")
    return networks


def add_biller(db: Session, crypto: Crypto, *, actor: str, tenant_id: str, service: str,
               auth: str, config: dict[str, Any], allowed_ips: list[str], name: str = "",
               identifier: str = "consumerNumber", exactness: str | None = None,
               simulated: bool = False) -> BbpsBiller:
    """Store a biller for one service of a city (one active per service) and log it."""
    try:
        kind = BillService(service)
    except ValueError:
        raise BillerError("unknown_service") from None
    if auth not in SCHEMES:
        raise BillerError("unknown_auth")
    for key in SCHEMES[auth]:
        if len(str(config.get(key, "")).strip()) < (16 if key in SECRET_FIELDS else 1):
            raise BillerError(f"missing_{key}")
    rule = exactness or DEFAULT_EXACTNESS[kind]
    if rule not in EXACTNESS:
        raise BillerError("unsupported_exactness")
    if not identifier.strip() or len(identifier) > 64:
        raise BillerError("invalid_identifier")
    if active_biller(db, tenant_id, kind.value) is not None:
        raise BillerError("biller_exists")
    biller = BbpsBiller(tenant_id=tenant_id, service=kind.value, name=name[:100],
                        identifier=identifier.strip(), auth=auth,
                        config_enc=crypto.encrypt_json({k: config[k] for k in SCHEMES[auth]}),
                        allowed_ips=_networks(allowed_ips), exactness=rule,
                        simulated=simulated, active=True)
    db.add(biller)
    db.flush()
    if not simulated:
        record(db, tenant_id=tenant_id, actor=actor, entity="bbps_biller", key=biller.id,
               action="create", after={"service": kind.value, "auth": auth,
                                       "config": redacted(config), "identifier": identifier,
                                       "allowed_ips": biller.allowed_ips, "exactness": rule})
    return biller


def disable_biller(db: Session, *, actor: str, biller_id: str) -> BbpsBiller:
    """Stop answering for a biller (its payments stay) and log it."""
    biller = db.get(BbpsBiller, biller_id)
    if biller is None:
        raise BillerError("unknown_biller")
    if biller.active:
        biller.active = False
        record(db, tenant_id=biller.tenant_id, actor=actor, entity="bbps_biller",
               key=biller.id, action="update", before={"active": True},
               after={"active": False})
    return biller


def active_biller(db: Session, tenant_id: str, service: str) -> BbpsBiller | None:
    """The city's active biller for a service, if any."""
    return db.scalar(select(BbpsBiller).where(
        BbpsBiller.tenant_id == tenant_id, BbpsBiller.service == service,
        BbpsBiller.active.is_(True)).limit(1))


def base_path(biller: BbpsBiller) -> str:
    """The `baseURL` path to give the aggregator (it appends `/bills/fetch` and the rest)."""
    return f"/bbps/{biller.id}"
