"""The seeded demo city `pb.amritsar`: wards, localities, categories, simulated channels, and
bills with a simulated payment account (`payments.simulated`).

The master data is data, not code: `data/demo_city.json` holds the structure with names in
English, Hindi and Punjabi, and `data/names/<language>.json` adds each other language's names
(keys like `category.garbage`, `locality.hall-bazaar`, `ward.W01`, `tenant.pb`). Seeding is
idempotent: it runs on every embedded start, adds what is missing, refreshes names and points the
simulated channel accounts at the gateway's current public URL (the port may have changed).
"""

from __future__ import annotations

import json
import secrets
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from channels.registry import demo_accounts
from payments.simulated import seed_demo_payments
from services.accounts.models import ChannelAccount
from services.accounts.service import create_account
from services.security.crypto import Crypto
from services.templates.demo import seed_demo_templates
from services.tenancy.models import Category, Locality, Tenant, Ward

DATA = Path(__file__).parent / "data"
DEMO_TENANT = "pb.amritsar"


@cache
def demo_data() -> dict[str, Any]:
    """The demo city's structure, with every language's names merged in."""
    data: dict[str, Any] = json.loads((DATA / "demo_city.json").read_text(encoding="utf-8"))
    overlays = {path.stem: json.loads(path.read_text(encoding="utf-8"))
                for path in sorted((DATA / "names").glob("*.json"))}

    def names(key: str, base: dict[str, str]) -> dict[str, str]:
        merged = dict(base)
        for code, table in overlays.items():
            if key in table:
                merged.setdefault(code, table[key])
        return merged

    data["state"]["names"] = names("tenant." + data["state"]["id"], data["state"]["names"])
    data["city"]["names"] = names("tenant." + data["city"]["id"], data["city"]["names"])
    for ward in data["wards"]:
        ward["names"] = names("ward." + ward["code"], ward["names"])
        for loc in ward["localities"]:
            loc["names"] = names("locality." + loc["code"], loc["names"])
    for cat in data["categories"]:
        cat["names"] = names("category." + cat["code"], cat["names"])
    return data


def _upsert_tenants(db: Session, data: dict[str, Any]) -> None:
    """The state (languages are chosen per state) and the city, which inherits them."""
    state, city = data["state"], data["city"]
    for spec, parent in ((state, None), (city, state["id"])):
        tenant = db.get(Tenant, spec["id"])
        if tenant is None:
            tenant = Tenant(id=spec["id"], parent_id=parent, code=spec["code"],
                            default_language=spec.get("default_language", "en"),
                            languages=spec.get("languages", []))
            db.add(tenant)
        tenant.names = spec["names"]
    db.flush()


def _upsert_places(db: Session, data: dict[str, Any]) -> None:
    """Wards and their localities, names refreshed."""
    for spec in data["wards"]:
        ward = db.scalar(select(Ward).where(Ward.tenant_id == DEMO_TENANT,
                                            Ward.code == spec["code"]))
        if ward is None:
            ward = Ward(tenant_id=DEMO_TENANT, code=spec["code"])
            db.add(ward)
            db.flush()
        ward.names = spec["names"]
        for loc_spec in spec["localities"]:
            loc = db.scalar(select(Locality).where(Locality.tenant_id == DEMO_TENANT,
                                                   Locality.code == loc_spec["code"]))
            if loc is None:
                loc = Locality(tenant_id=DEMO_TENANT, ward_id=ward.id, code=loc_spec["code"])
                db.add(loc)
            loc.names = loc_spec["names"]
    db.flush()


def _upsert_categories(db: Session, data: dict[str, Any]) -> None:
    """Grievance categories with their SLAs, names refreshed."""
    for spec in data["categories"]:
        cat = db.scalar(select(Category).where(Category.tenant_id == DEMO_TENANT,
                                               Category.code == spec["code"]))
        if cat is None:
            cat = Category(tenant_id=DEMO_TENANT, code=spec["code"],
                           department=spec["department"], sla_hours=spec["sla_hours"])
            db.add(cat)
        cat.names = spec["names"]
    db.flush()


def _simulated(db: Session, crypto: Crypto, channel_type: str, config: dict[str, Any],
               keep: frozenset[str]) -> ChannelAccount:
    """Create the simulated account, or refresh its URL-dependent config (keeping `keep`)."""
    account = db.scalar(select(ChannelAccount).where(
        ChannelAccount.tenant_id == DEMO_TENANT, ChannelAccount.channel_type == channel_type,
        ChannelAccount.simulated.is_(True)))
    if account is None:
        return create_account(db, crypto, tenant_id=DEMO_TENANT, channel_type=channel_type,
                              config=config, name=f"Demo {channel_type} (simulated)",
                              simulated=True)
    current = crypto.decrypt_json(account.config_enc)
    kept = {k: v for k, v in current.items() if k in keep or k not in config}
    account.config_enc = crypto.encrypt_json({**config, **kept})
    return account


def seed_demo(db: Session, crypto: Crypto, base_url: str) -> None:
    """Make sure the demo city and its simulated channels exist (safe to repeat)."""
    data = demo_data()
    _upsert_tenants(db, data)
    _upsert_places(db, data)
    _upsert_categories(db, data)
    _simulated(db, crypto, "webchat", {"token_secret": secrets.token_hex(32), "address": "web"},
               frozenset({"token_secret"}))
    for channel_type, config, keep in demo_accounts(base_url):
        _simulated(db, crypto, channel_type, config, keep)
    seed_demo_templates(db)
    seed_demo_payments(db, crypto, DEMO_TENANT, base_url)
    db.flush()
