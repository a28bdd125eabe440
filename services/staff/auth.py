"""Creating and checking staff API keys (`nsk_<id>_<secret>`; only a hash is stored)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.orm import Session

from services.db.base import utcnow
from services.staff.models import StaffKey, StaffMember
from services.tenancy.service import in_scope

KEY_ID_HEX = 12
"""Characters of a key id (`secrets.token_hex(6)`)."""
ACTOR_LENGTH = 100
"""`grievance_events.actor`, which holds `staff:<id>:<name>`."""
MAX_NAME = ACTOR_LENGTH - len("staff::") - KEY_ID_HEX
"""The longest key name whose actor still fits the history column (81 characters)."""


class InvalidName(ValueError):
    """A key name that is too long for the history, or holds control characters."""

    code = "invalid_key_name"


class Role(StrEnum):
    """What a key may do: viewers read, officers act on grievances, admins also manage."""

    VIEWER = "viewer"
    OFFICER = "officer"
    ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    """The authenticated staff member behind a request."""

    key_id: str
    scope: str
    role: Role
    name: str
    staff_id: str | None = None
    """The staff member the key belongs to (None: a key from before members existed)."""

    def can_act(self) -> bool:
        """Whether this role may change grievances."""
        return self.role in (Role.OFFICER, Role.ADMIN)

    def covers(self, tenant_id: str) -> bool:
        """Whether a tenant is within this key's scope."""
        return in_scope(tenant_id, self.scope)

    @property
    def actor(self) -> str:
        """How this principal appears in histories."""
        name = self.name[:MAX_NAME]  # keys named before names were bounded still act
        return f"staff:{self.key_id}:{name}" if name else f"staff:{self.key_id}"


def _digest(secret: str) -> str:
    """Hash of a high-entropy secret (a slow KDF adds nothing for 256-bit random keys)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(db: Session, *, scope: str, role: Role, name: str = "",
               member: StaffMember | None = None) -> str:
    """Create a key and return it in full; it is never shown again (InvalidName for a name
    longer than MAX_NAME or holding control characters). A member's key takes the member's
    scope, role and (unless given) name, and follows them when they change."""
    if member is not None:
        scope, role, name = member.tenant_id, Role(member.role), name or member.name
    if len(name) > MAX_NAME or not name.isprintable():
        raise InvalidName(name[:MAX_NAME])
    key_id = secrets.token_hex(KEY_ID_HEX // 2)
    secret = secrets.token_urlsafe(32)
    db.add(StaffKey(id=key_id, tenant_scope=scope, role=role.value, name=name,
                    secret_hash=_digest(secret), staff_id=member.id if member else None))
    return f"nsk_{key_id}_{secret}"


def authenticate(db: Session, token: str) -> Principal | None:
    """The principal of a presented key, or None when unknown, wrong or revoked."""
    prefix, _, rest = token.partition("_")
    key_id, _, secret = rest.partition("_")
    if prefix != "nsk" or not key_id or not secret:
        return None
    row = db.get(StaffKey, key_id)
    if row is None or row.revoked_at is not None:
        return None
    if not hmac.compare_digest(row.secret_hash, _digest(secret)):
        return None
    if row.staff_id is None:
        return Principal(row.id, row.tenant_scope, Role(row.role), row.name)
    member = db.get(StaffMember, row.staff_id)
    if member is None or not member.active:
        return None  # a retired member's keys stop with them
    return Principal(row.id, member.tenant_id, Role(member.role), row.name or member.name,
                     member.id)


def revoke(db: Session, key_id: str) -> bool:
    """Revoke a key (keeping the first revocation time); False when it does not exist."""
    row = db.get(StaffKey, key_id)
    if row is None:
        return False
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    return True
