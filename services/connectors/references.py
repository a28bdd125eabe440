"""The category and locality a filing names, checked before anything is sent to a platform."""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.grievances.registry import InvalidReference
from services.tenancy.models import Category, Locality


def filing_references(db: Session, tenant_id: str, category_id: str,
                      locality_id: str) -> tuple[Category, Locality]:
    """The city's active category and locality; InvalidReference when either is not."""
    category = db.get(Category, category_id)
    locality = db.get(Locality, locality_id)
    if (category is None or locality is None or category.tenant_id != tenant_id
            or locality.tenant_id != tenant_id or not category.active
            or not locality.active):
        raise InvalidReference(category_id)
    return category, locality
