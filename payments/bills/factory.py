"""The one place that says which registry holds a tenant's bills.

Every tenant uses the built-in registry until a platform connector (DIGIT/UPYOG) registers
for it or its state; lookups, payments and the safety net all go through `for_tenant`.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from payments.bills.builtin import BuiltinBills
from payments.bills.registry import BillRegistry
from services.security.crypto import Crypto

BillsMaker = Callable[[Session, Crypto, str], BillRegistry]


class BillRegistries:
    """Registry makers by tenant scope (a state's entry serves its cities); built-in otherwise."""

    def __init__(self, default: BillsMaker = BuiltinBills) -> None:
        self.default = default
        self._by_scope: dict[str, BillsMaker] = {}

    def register(self, scope: str, maker: BillsMaker) -> None:
        """Use `maker` for a tenant (`pb.amritsar`) or a whole state (`pb`)."""
        self._by_scope[scope] = maker

    def serves(self, tenant_id: str) -> bool:
        """Whether a connector (not the built-in registry) was registered for the tenant."""
        return tenant_id in self._by_scope or tenant_id.split(".", 1)[0] in self._by_scope

    def connected(self, db: Session, crypto: Crypto, tenant_id: str) -> bool:
        """Whether a platform, not the built-in registry, holds the tenant's bills."""
        return self.serves(tenant_id)

    def for_tenant(self, db: Session, crypto: Crypto, tenant_id: str) -> BillRegistry:
        """The tenant's registry: its own entry, else its state's, else built-in."""
        state = tenant_id.split(".", 1)[0]
        maker = self._by_scope.get(tenant_id) or self._by_scope.get(state) or self.default
        return maker(db, crypto, tenant_id)
