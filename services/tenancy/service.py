"""Tenant lookups and the engine's master data (cached briefly: it changes rarely)."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from bots.prompts import Localized, Option
from i18n import LANGUAGES, endonym
from services.tenancy.models import Category, Locality, Tenant
from services.tenancy.names import NAMES

CACHE_SECONDS = 60.0


@dataclass(frozen=True)
class MasterData:
    """A tenant's options as the engine sees them."""

    languages: tuple[Option, ...]
    categories: tuple[Option, ...]
    localities: tuple[Option, ...]
    default_language: str
    required: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """What each active category requires of the citizen (`photo`, `location`), by id."""


def in_scope(tenant_id: str, scope: str) -> bool:
    """Whether a tenant lies within a scope: itself or a state prefix (`pb` covers `pb.*`)."""
    return tenant_id == scope or tenant_id.startswith(scope + ".")


class MasterDataCache:
    """Per-process cache of each tenant's master data."""

    def __init__(self) -> None:
        self._items: dict[str, tuple[float, MasterData]] = {}
        self._lock = threading.Lock()

    def get(self, db: Session, tenant_id: str) -> MasterData:
        """Cached master data, reloaded after CACHE_SECONDS."""
        with self._lock:
            hit = self._items.get(tenant_id)
        if hit and hit[0] > time.monotonic():
            return hit[1]
        data = load_master_data(db, tenant_id)
        with self._lock:
            self._items[tenant_id] = (time.monotonic() + CACHE_SECONDS, data)
        return data

    def clear(self) -> None:
        """Drop everything (after master data edits), the staff views' names too."""
        with self._lock:
            self._items.clear()
        NAMES.forget()


def load_master_data(db: Session, tenant_id: str) -> MasterData:
    """Read a tenant's languages, active categories and active localities (retired ones are
    no longer offered; their other spellings match what a citizen types)."""
    tenant = db.get(Tenant, tenant_id)
    if tenant is None:
        raise LookupError(tenant_id)
    enabled, default = language_settings(db, tenant)
    codes = [c for c in enabled if c in LANGUAGES] or [default]
    languages = tuple(Option(c, Localized({c: endonym(c)})) for c in codes)
    cats = list(db.scalars(select(Category).where(Category.tenant_id == tenant_id,
                                                  Category.active.is_(True))
                           .order_by(Category.code)))
    locs = db.scalars(select(Locality).where(Locality.tenant_id == tenant_id,
                                             Locality.active.is_(True))
                      .order_by(Locality.code))
    return MasterData(
        languages=languages,
        categories=tuple(Option(c.id, Localized(dict(c.names))) for c in cats),
        localities=tuple(Option(loc.id, Localized(dict(loc.names)), tuple(loc.alt_names or ()))
                         for loc in locs),
        default_language=default,
        required={c.id: frozenset(kind for kind, needed in (("photo", c.photo_required),
                                                            ("location", c.location_required))
                                  if needed)
                  for c in cats if c.photo_required or c.location_required},
    )


def language_settings(db: Session, tenant: Tenant) -> tuple[list[str], str]:
    """A tenant's enabled languages and default; a city without its own takes its state's."""
    current: Tenant | None = tenant
    while current is not None:
        if current.languages:
            return list(current.languages), current.default_language
        current = db.get(Tenant, current.parent_id) if current.parent_id else None
    return [tenant.default_language], tenant.default_language


def greeting_languages(db: Session, tenant: Tenant) -> tuple[str, ...]:
    """The languages a tenant greets in, as the engine orders them: the default first, then
    the others in menu order (the language question is said in each)."""
    enabled, default = language_settings(db, tenant)
    codes = [c for c in enabled if c in LANGUAGES] or [default]
    first = [default] if default in codes else []
    return tuple(dict.fromkeys([*first, *codes]))


REOPEN_DAYS = 7
"""How long after a resolution its citizen may reopen it, where no tenant sets it."""


def reopen_days(db: Session, tenant: Tenant) -> int:
    """Days after a resolution in which the citizen may say "not fixed"; a city without its
    own window takes its state's, and a state without one REOPEN_DAYS (0: never)."""
    current: Tenant | None = tenant
    while current is not None:
        if current.reopen_days is not None:
            return max(0, current.reopen_days)
        current = db.get(Tenant, current.parent_id) if current.parent_id else None
    return REOPEN_DAYS
