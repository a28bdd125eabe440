"""The application side of the conversation's domains: the master data each one puts into
the engine's context, and whether a tenant offers it (which decides its menu entries).

A domain adds a `DomainData` here; the engine side is `bots/flows/registry.py`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from bots.flows.registry import BILLS_FEATURE
from bots.prompts import Image, Option
from payments.models import OPEN, Bill, GatewayAccount, PaymentAttempt
from payments.qr_image import qr_url
from services.db.base import aware
from services.tenancy.models import Tenant
from services.tenancy.service import MasterData

if TYPE_CHECKING:
    from services.context import AppContext

Offered = Callable[[Session, "AppContext", Tenant], bool]


def domain_data(master: MasterData) -> Mapping[str, tuple[Option, ...]]:
    """The option lists flows choose from, by name (grievances: categories, localities)."""
    return {"categories": master.categories, "localities": master.localities}


def offers_bills(db: Session, ctx: AppContext, tenant: Tenant) -> bool:
    """A city offers bills in the chat when it collects payments (an active gateway account)
    and has a bill service: a platform holding its bills (a connector, or a DIGIT connection),
    or bills of its own in the built-in registry.

    Both facts come from one statement: this runs on every turn."""
    collects, own_bills = db.execute(select(
        exists().where(GatewayAccount.tenant_id == tenant.id, GatewayAccount.active.is_(True)),
        exists().where(Bill.tenant_id == tenant.id))).one()
    if not collects:
        return False
    return ctx.bill_registries.connected(db, ctx.crypto, tenant.id) or bool(own_bills)


@dataclass(frozen=True)
class Feature:
    """A feature a domain's menu entries need, and how to tell whether a tenant offers it."""

    name: str
    offered: Offered


FEATURES: tuple[Feature, ...] = (Feature(BILLS_FEATURE, offers_bills),)


def features_of(db: Session, ctx: AppContext, tenant: Tenant) -> frozenset[str]:
    """The features this tenant offers now."""
    return frozenset(f.name for f in FEATURES if f.offered(db, ctx, tenant))


def upi_qr(db: Session, ctx: AppContext, ref: str) -> str | None:
    """The signed link to an open attempt's UPI QR picture, good until the attempt expires."""
    attempt = db.get(PaymentAttempt, ref)
    if attempt is None or attempt.status != OPEN or not attempt.qr_content:
        return None
    return qr_url(ctx.crypto, ctx.settings.base_url, attempt.id,
                  int(aware(attempt.expire_at).timestamp()))


IMAGES: Mapping[str, Callable[[Session, AppContext, str], str | None]] = {"upi_qr": upi_qr}
"""How each kind of picture a flow attaches becomes a link a provider can fetch."""


def image_url(db: Session, ctx: AppContext, image: Image) -> str | None:
    """The link to a picture a flow attached (None: an unknown kind, or nothing to show)."""
    found = IMAGES.get(image.kind)
    return found(db, ctx, image.ref) if found is not None else None
