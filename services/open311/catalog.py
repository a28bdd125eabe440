"""GET services and service definitions: a tenant's active categories as Open311 services.

A category becomes a service (`service_code` = the category code, its name in English or the
tenant's language, its keywords and group from the category's configuration). Every service
has metadata: the attributes a report may carry, from the city's configuration —

- `locality` (singlevaluelist): the city's active localities. Needed unless `lat`/`long` fall
  in a mapped ward or `address_string` names a locality; required for a city with no mapped
  wards.
- `landmark` (string): a typed landmark, kept with the report when no point is given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from i18n.catalog import translate
from services.tenancy.models import Category, Locality, Tenant, Ward

LOCALITY = "locality"
LANDMARK = "landmark"
ATTRIBUTES = (LOCALITY, LANDMARK)
PROMPTS = {LOCALITY: "grievance.ask_locality", LANDMARK: "grievance.ask_landmark"}
"""Each attribute is described by the question the chat asks for it (already in every
language's catalog), in the tenant's default language."""


def name_in(names: Mapping[str, Any], language: str) -> str:
    """A name in English, else the tenant's language, else any (codes are never empty)."""
    for lang in ("en", language):
        if names.get(lang):
            return str(names[lang])
    return str(next(iter(names.values()), ""))


def active_categories(db: Session, tenant_id: str) -> Sequence[Category]:
    """A tenant's active categories by code."""
    return list(db.scalars(select(Category).where(Category.tenant_id == tenant_id,
                                                  Category.active.is_(True))
                           .order_by(Category.code)))


def service(row: Category, language: str) -> dict[str, Any]:
    """One entry of GET services."""
    return {"service_code": row.code, "service_name": name_in(row.names, language),
            "description": name_in(row.names, language), "metadata": True, "type": "realtime",
            "keywords": ", ".join(row.keywords or []),
            "group": row.menu_path or row.department or ""}


def services(db: Session, tenant: Tenant) -> list[dict[str, Any]]:
    """GET services: every active category of the tenant."""
    return [service(row, tenant.default_language) for row in active_categories(db, tenant.id)]


def mapped(db: Session, tenant_id: str) -> bool:
    """Whether any active ward of the tenant has a boundary (lat/long can place a report)."""
    return db.scalar(select(Ward.id).where(Ward.tenant_id == tenant_id, Ward.active.is_(True),
                                           Ward.boundary.is_not(None)).limit(1)) is not None


def localities(db: Session, tenant_id: str) -> Sequence[Locality]:
    """A tenant's active localities by code."""
    return list(db.scalars(select(Locality).where(Locality.tenant_id == tenant_id,
                                                  Locality.active.is_(True))
                           .order_by(Locality.code)))


def _prompt(tenant: Tenant, code: str) -> str:
    """An attribute's description: the chat's question for it, in the tenant's language."""
    key = PROMPTS[code]
    return translate(tenant.default_language, key)


def definition(db: Session, tenant: Tenant, row: Category) -> dict[str, Any]:
    """GET a service definition: its attributes."""
    places = [{"key": loc.code, "name": name_in(loc.names, tenant.default_language)}
              for loc in localities(db, tenant.id)]
    return {"service_code": row.code, "attributes": [
        {"variable": True, "code": LOCALITY, "datatype": "singlevaluelist",
         "required": not mapped(db, tenant.id),
         "datatype_description": None, "order": 1,
         "description": _prompt(tenant, LOCALITY), "values": places},
        {"variable": True, "code": LANDMARK, "datatype": "string", "required": False,
         "datatype_description": None, "order": 2,
         "description": _prompt(tenant, LANDMARK), "values": []},
    ]}
