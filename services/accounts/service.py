"""Loading channel accounts and building their adapters from encrypted config."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from channels.base import ChannelAdapter
from channels.contract import Medium
from channels.errors import ConfigError
from channels.registry import adapter_class, build_adapter
from services.accounts.models import ChannelAccount
from services.security.crypto import Crypto


def create_account(db: Session, crypto: Crypto, *, tenant_id: str, channel_type: str,
                   config: dict[str, Any], name: str = "", simulated: bool = False,
                   account_id: str | None = None) -> ChannelAccount:
    """Register a channel account; its config is validated by the adapter and encrypted."""
    build_adapter(channel_type, config)
    account = ChannelAccount(tenant_id=tenant_id, channel_type=channel_type, name=name,
                             address=str(config.get("address", "")),
                             config_enc=crypto.encrypt_json(config), simulated=simulated)
    if account_id:
        account.id = account_id
    db.add(account)
    return account


class AdapterCache:
    """One adapter per account per process, with its pooled provider connections.

    Built on first use from the decrypted config and kept until that account's config (its
    ciphertext) changes; the adapter replaced then, or pushed out when more than `maxsize`
    accounts are held, is closed. A send still running on a replaced adapter may fail with a
    connection error, which the outbox retries.
    """

    def __init__(self, maxsize: int = 1024) -> None:
        self.maxsize = maxsize
        self._held: OrderedDict[tuple[Crypto, str], tuple[str, str, ChannelAdapter]] = (
            OrderedDict())
        self._lock = threading.Lock()

    def get(self, crypto: Crypto, account: ChannelAccount) -> ChannelAdapter:
        """The account's adapter, built (and a stale one closed) when its config changed."""
        key = (crypto, account.id or account.config_enc)
        stale: list[ChannelAdapter] = []
        with self._lock:
            held = self._held.get(key)
            if held is not None and held[:2] == (account.channel_type, account.config_enc):
                self._held.move_to_end(key)
                return held[2]
            adapter = build_adapter(account.channel_type, crypto.decrypt_json(account.config_enc))
            if held is not None:
                stale.append(held[2])
            self._held[key] = (account.channel_type, account.config_enc, adapter)
            self._held.move_to_end(key)
            while len(self._held) > self.maxsize:
                stale.append(self._held.popitem(last=False)[1][2])
        for old in stale:
            old.close()
        return adapter

    def close_all(self) -> None:
        """Close and forget every adapter (process shutdown)."""
        with self._lock:
            adapters = [held[2] for held in self._held.values()]
            self._held.clear()
        for adapter in adapters:
            adapter.close()

    def __len__(self) -> int:
        """How many adapters are held."""
        return len(self._held)


ADAPTERS = AdapterCache()
"""This process's adapters."""


def adapter_for(crypto: Crypto, account: ChannelAccount) -> ChannelAdapter:
    """The account's adapter with decrypted config (cached until the config changes)."""
    return ADAPTERS.get(crypto, account)


def close_adapters() -> None:
    """Close every cached adapter's provider connections and forget them (at shutdown)."""
    ADAPTERS.close_all()


def webhook_path(account: ChannelAccount, kind: str = "inbound") -> str:
    """The path a provider posts to for this account."""
    base = f"/webhooks/{account.channel_type}/{account.id}"
    return base if kind == "inbound" else f"{base}/{kind}"


def messaging_account(db: Session, tenant_id: str, medium: Medium) -> ChannelAccount | None:
    """The tenant's first active account that sends on a medium through the outbox."""
    rows = db.scalars(select(ChannelAccount).where(
        ChannelAccount.tenant_id == tenant_id, ChannelAccount.active.is_(True))
        .order_by(ChannelAccount.created_at, ChannelAccount.id))
    for row in rows:
        try:
            cls = adapter_class(row.channel_type)
        except ConfigError:
            continue  # a channel type this deployment no longer has
        if cls.medium is medium and not cls.capabilities.synchronous:
            return row
    return None
