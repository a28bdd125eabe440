"""The one place that says which registry holds a tenant's grievances.

Today every tenant uses the built-in registry; a platform connector (DIGIT/UPYOG, Open311)
registers here per tenant and everything that files, reads or acts on grievances follows.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from services.grievances.builtin import BuiltinRegistry
from services.grievances.registry import GrievanceRegistry
from services.security.crypto import Crypto

RegistryMaker = Callable[[Session, Crypto], GrievanceRegistry]


class GrievanceRegistries:
    """Registry makers by tenant scope (a state's entry serves its cities); built-in otherwise."""

    def __init__(self, default: RegistryMaker = BuiltinRegistry) -> None:
        self.default = default
        self._by_scope: dict[str, RegistryMaker] = {}

    def register(self, scope: str, maker: RegistryMaker) -> None:
        """Use `maker` for a tenant (`pb.amritsar`) or a whole state (`pb`)."""
        self._by_scope[scope] = maker

    def for_tenant(self, db: Session, crypto: Crypto, tenant_id: str) -> GrievanceRegistry:
        """The registry for a tenant or scope: its own entry, else its state's, else built-in."""
        state = tenant_id.split(".", 1)[0]
        maker = self._by_scope.get(tenant_id) or self._by_scope.get(state) or self.default
        return maker(db, crypto)
