"""Creating and checking staff API keys (`nsk_<id>_<secret>`; only a hash is stored).

A key that authenticated is remembered by the process for `CACHE_SECONDS` (`KeyCache`), so a
busy officer's requests do not read the key and its member on every call: a revocation, a
retirement or a change of role or scope made in this process takes effect at once (any flush
touching `staff_keys` or `staff_members` empties the cache), and one made by another process
(the CLI, another API worker) within `CACHE_SECONDS`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import event
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
    """What a key may do: viewers read, officers act on grievances, admins also manage;
    finance staff see and reconcile the money (payments.recon) and nothing else changes."""

    VIEWER = "viewer"
    OFFICER = "officer"
    ADMIN = "admin"
    FINANCE = "finance"


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

    def can_refund(self) -> bool:
        """Whether this key may refund a payment: finance staff only (the money's custodians,
        not the officers who work grievances)."""
        return self.role is Role.FINANCE

    def is_finance(self) -> bool:
        """Whether this role sees finance reports and works the reconciliation queues."""
        return self.role is Role.FINANCE

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


CACHE_SECONDS = 5.0
"""How long a process trusts a key it verified before reading it again: the longest a key
revoked (or a member retired or changed) by another process still works here."""
CACHE_ENTRIES = 10_000
"""Keys remembered at most; past this the cache starts afresh."""


class KeyCache:
    """Keys this process verified lately: key id -> (secret hash, principal, valid until).

    Only successes are kept (a wrong or revoked key is looked up every time); a hit still
    compares the presented secret's hash with the stored one."""

    def __init__(self, seconds: float = CACHE_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.clock = clock
        self._entries: dict[str, tuple[str, Principal, float]] = {}
        self._lock = threading.Lock()

    def get(self, key_id: str, digest: str) -> Principal | None:
        """The remembered principal for this key and secret, unless expired."""
        entry = self._entries.get(key_id)
        if entry is None or entry[2] <= self.clock():
            return None
        return entry[1] if hmac.compare_digest(entry[0], digest) else None

    def put(self, key_id: str, digest: str, principal: Principal) -> None:
        """Remember a key that just authenticated."""
        if self.seconds <= 0:
            return
        with self._lock:
            if len(self._entries) >= CACHE_ENTRIES:
                self._entries.clear()
            self._entries[key_id] = (digest, principal, self.clock() + self.seconds)

    def clear(self) -> None:
        """Forget every key (a key or member changed in this process)."""
        with self._lock:
            self._entries.clear()


verified = KeyCache()
"""The process's cache of verified keys (see the module docstring)."""


@event.listens_for(Session, "after_flush")
def _forget_on_staff_change(session: Session, _context: Any) -> None:
    """Empty the key cache when a flush wrote a key or a staff member (revoked, retired,
    role or scope changed): this process honours it from the next request on."""
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, StaffKey | StaffMember):
            verified.clear()
            return


def authenticate(db: Session, token: str) -> Principal | None:
    """The principal of a presented key, or None when unknown, wrong or revoked (a key
    verified within CACHE_SECONDS is answered from `verified`)."""
    prefix, _, rest = token.partition("_")
    key_id, _, secret = rest.partition("_")
    if prefix != "nsk" or not key_id or not secret:
        return None
    digest = _digest(secret)
    cached = verified.get(key_id, digest)
    if cached is not None:
        return cached
    principal = _verify(db, key_id, digest)
    if principal is not None:
        verified.put(key_id, digest, principal)
    return principal


def _verify(db: Session, key_id: str, digest: str) -> Principal | None:
    """The principal of a key read from the database, or None."""
    row = db.get(StaffKey, key_id)
    if row is None or row.revoked_at is not None:
        return None
    if not hmac.compare_digest(row.secret_hash, digest):
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
