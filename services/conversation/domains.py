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
from bots.prompts import Option
from payments.accounts import active_account
from payments.models import Bill
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
    and has a bill service: a platform connector registered for it, or bills of its own in
    the built-in registry."""
    if active_account(db, tenant.id) is None:
        return False
    if ctx.bill_registries.serves(tenant.id):
        return True
    return bool(db.scalar(select(exists().where(Bill.tenant_id == tenant.id))))


@dataclass(frozen=True)
class Feature:
    """A feature a domain's menu entries need, and how to tell whether a tenant offers it."""

    name: str
    offered: Offered


FEATURES: tuple[Feature, ...] = (Feature(BILLS_FEATURE, offers_bills),)


def features_of(db: Session, ctx: AppContext, tenant: Tenant) -> frozenset[str]:
    """The features this tenant offers now."""
    return frozenset(f.name for f in FEATURES if f.offered(db, ctx, tenant))
