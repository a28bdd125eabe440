"""A tenant's platform connections: which platform holds its grievances and its bills.

Shared by `nagarsetu connectors` and the registry factory. A row per tenant (or state) and
domain; none means the built-in registry. Credentials are stored encrypted and every change
is in the configuration log, with secrets shown as ***.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.audit.record import record
from services.connectors.models import DOMAINS, KINDS, Connection
from services.security.crypto import Crypto

SECRET_FIELDS = frozenset({"password", "api_key", "client_secret"})
REQUIRED: dict[str, tuple[str, ...]] = {"builtin": (), "digit": ("username", "password"),
                                        "open311": ()}
"""Config keys each platform needs (DIGIT: its system user, for polling and postings)."""


class ConnectorError(Exception):
    """A connection refused, with a code."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Settings:
    """A connection as the connectors use it: decrypted, detached from the session."""

    id: str
    tenant_id: str
    domain: str
    kind: str
    base_url: str
    config: dict[str, Any]
    cursor: str | None = None


def redacted(config: dict[str, Any]) -> dict[str, Any]:
    """Config for display and the change log: secrets as ***."""
    return {k: ("***" if k in SECRET_FIELDS else v) for k, v in config.items()}


def _check(domain: str, kind: str, base_url: str, config: dict[str, Any]) -> None:
    """Refuse what could not work: unknown names, a platform without an http(s) URL or its
    credentials, bills on Open311 (it has none)."""
    if domain not in DOMAINS:
        raise ConnectorError("unknown_domain")
    if kind not in KINDS:
        raise ConnectorError("unknown_kind")
    if kind == "open311" and domain == "bills":
        raise ConnectorError("kind_cannot_serve_domain")
    if kind != "builtin":
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConnectorError("invalid_base_url")
    missing = [key for key in REQUIRED[kind] if not str(config.get(key) or "").strip()]
    if missing:
        raise ConnectorError("missing_" + missing[0])


def set_connection(db: Session, crypto: Crypto, *, actor: str, tenant_id: str, domain: str,
                   kind: str, base_url: str = "", config: dict[str, Any] | None = None,
                   ) -> Connection:
    """Create or replace a tenant's connection for a domain, logged in the same transaction."""
    values = dict(config or {})
    _check(domain, kind, base_url, values)
    row = db.scalar(select(Connection).where(Connection.tenant_id == tenant_id,
                                             Connection.domain == domain))
    after = {"kind": kind, "base_url": base_url, "config": redacted(values), "active": True}
    if row is None:
        row = Connection(tenant_id=tenant_id, domain=domain, kind=kind, base_url=base_url,
                         config_enc=crypto.encrypt_json(values), active=True)
        db.add(row)
        db.flush()
        record(db, tenant_id=tenant_id, actor=actor, entity="connector", key=f"{domain}",
               action="create", after=after)
    else:
        before = {"kind": row.kind, "base_url": row.base_url,
                  "config": redacted(crypto.decrypt_json(row.config_enc)), "active": row.active}
        changed_platform = (row.kind, row.base_url) != (kind, base_url)
        row.kind, row.base_url, row.active = kind, base_url, True
        row.config_enc = crypto.encrypt_json(values)
        if changed_platform:
            row.cursor = None
        record(db, tenant_id=tenant_id, actor=actor, entity="connector", key=f"{domain}",
               action="update", before=before, after=after)
    CACHE.clear()
    return row


def disable_connection(db: Session, *, actor: str, tenant_id: str, domain: str) -> Connection:
    """Back to the built-in registry for a domain (the row and its links stay), logged."""
    row = db.scalar(select(Connection).where(Connection.tenant_id == tenant_id,
                                             Connection.domain == domain))
    if row is None:
        raise ConnectorError("unknown_connection")
    if row.active:
        row.active = False
        record(db, tenant_id=tenant_id, actor=actor, entity="connector", key=domain,
               action="update", before={"active": True}, after={"active": False})
    CACHE.clear()
    return row


def _load(db: Session, crypto: Crypto, tenant_id: str, domain: str) -> Settings | None:
    """The active connection serving a tenant: its own row, else its state's."""
    state = tenant_id.split(".", 1)[0]
    rows = {row.tenant_id: row for row in db.scalars(select(Connection).where(
        Connection.tenant_id.in_({tenant_id, state}), Connection.domain == domain,
        Connection.active.is_(True)))}
    row = rows.get(tenant_id) or rows.get(state)
    if row is None or row.kind == "builtin":
        return None
    return Settings(row.id, row.tenant_id, domain, row.kind, row.base_url.rstrip("/"),
                    crypto.decrypt_json(row.config_enc), row.cursor)


class ConnectionCache:
    """Connections per (tenant, domain) for a few seconds: the factory asks on every turn."""

    def __init__(self, seconds: float = 5.0) -> None:
        self.seconds = seconds
        self._held: dict[tuple[int, str, str], tuple[float, Settings | None]] = {}
        self._lock = threading.Lock()

    def get(self, db: Session, crypto: Crypto, tenant_id: str, domain: str) -> Settings | None:
        """The connection serving the tenant's domain (None: built-in)."""
        key = (id(crypto), tenant_id, domain)
        now = time.monotonic()
        with self._lock:
            held = self._held.get(key)
        if held is not None and now - held[0] < self.seconds:
            return held[1]
        found = _load(db, crypto, tenant_id, domain)
        with self._lock:
            self._held[key] = (now, found)
        return found

    def clear(self) -> None:
        """Forget everything (a change was made in this process)."""
        with self._lock:
            self._held.clear()


CACHE = ConnectionCache()
"""This process's connections."""


def all_active(db: Session, crypto: Crypto, kind: str | None = None) -> list[Settings]:
    """Every active platform connection (for the pollers), optionally of one kind."""
    query = select(Connection).where(Connection.active.is_(True),
                                     Connection.kind != "builtin")
    if kind:
        query = query.where(Connection.kind == kind)
    return [Settings(row.id, row.tenant_id, row.domain, row.kind, row.base_url.rstrip("/"),
                     crypto.decrypt_json(row.config_enc), row.cursor)
            for row in db.scalars(query.order_by(Connection.tenant_id, Connection.domain))]
