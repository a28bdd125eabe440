"""Registry factories that follow each tenant's connection: DIGIT/UPYOG or Open311 where the
connection says so, the built-in registries otherwise.

They extend the factories behind `ctx.grievances` and `ctx.bills`, so every caller (the
conversation, the staff API, payments and its safety net) follows a tenant's connection
without knowing it. A maker registered in code for a scope still wins (tests, plugins).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from channels.errors import ConfigError
from payments.bills.factory import BillRegistries
from payments.bills.registry import BillRegistry
from services.connectors.connections import CACHE
from services.connectors.digit.bills import DigitBills
from services.connectors.digit.grievances import DigitRegistry, PhotoSource, no_photos
from services.connectors.open311.grievances import Open311Registry
from services.grievances.builtin import BuiltinRegistry
from services.grievances.factory import GrievanceRegistries, RegistryMaker
from services.grievances.registry import GrievanceRegistry
from services.media import held
from services.media.store import MediaStore
from services.security.crypto import Crypto


def held_photos(store: MediaStore, crypto: Crypto) -> PhotoSource:
    """Photos the gateway holds itself (the web chat's uploads), for a platform's file store."""

    def source(tenant_id: str, ref: str) -> tuple[bytes, str] | None:
        if not held.is_held(ref):
            return None
        try:
            found = held.take(store, crypto, tenant_id, ref)
        except ConfigError:
            return None
        return found.content, found.content_type

    return source


class ConnectedGrievances(GrievanceRegistries):
    """Grievance registries by the tenant's connection (its own, else its state's)."""

    def __init__(self, default: RegistryMaker = BuiltinRegistry,
                 store: MediaStore | None = None) -> None:
        super().__init__(default)
        self.store = store
        """Where the gateway's own photo copies are (uploaded to a platform's file store)."""

    def _photos(self, crypto: Crypto) -> PhotoSource:
        """The photo source for a filing."""
        return held_photos(self.store, crypto) if self.store is not None else no_photos

    def for_tenant(self, db: Session, crypto: Crypto, tenant_id: str) -> GrievanceRegistry:
        """A registered maker, else the connection's platform, else built-in."""
        state = tenant_id.split(".", 1)[0]
        if tenant_id in self._by_scope or state in self._by_scope:
            return super().for_tenant(db, crypto, tenant_id)
        settings = CACHE.get(db, crypto, tenant_id, "grievances")
        if settings is not None and settings.kind == "digit":
            return DigitRegistry(db, crypto, settings, photos=self._photos(crypto))
        if settings is not None and settings.kind == "open311":
            return Open311Registry(db, crypto, settings)
        return self.default(db, crypto)


class ConnectedBills(BillRegistries):
    """Bill registries by the tenant's connection (DIGIT's billing-service, or built-in)."""

    def connected(self, db: Session, crypto: Crypto, tenant_id: str) -> bool:
        """A registered maker, or a DIGIT connection for the tenant's bills."""
        if super().connected(db, crypto, tenant_id):
            return True
        settings = CACHE.get(db, crypto, tenant_id, "bills")
        return settings is not None and settings.kind == "digit"

    def for_tenant(self, db: Session, crypto: Crypto, tenant_id: str) -> BillRegistry:
        """A registered maker, else the connection's platform, else built-in."""
        state = tenant_id.split(".", 1)[0]
        if tenant_id in self._by_scope or state in self._by_scope:
            return super().for_tenant(db, crypto, tenant_id)
        settings = CACHE.get(db, crypto, tenant_id, "bills")
        if settings is not None and settings.kind == "digit":
            return DigitBills(db, crypto, tenant_id, settings)
        return self.default(db, crypto, tenant_id)
