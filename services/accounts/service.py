"""Loading channel accounts and building their adapters from encrypted config."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from channels.base import ChannelAdapter
from channels.registry import build_adapter
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


def adapter_for(crypto: Crypto, account: ChannelAccount) -> ChannelAdapter:
    """The account's adapter with decrypted config (cached until the config changes)."""
    return _cached_adapter(crypto, account.channel_type, account.config_enc)


@lru_cache(maxsize=1024)
def _cached_adapter(crypto: Crypto, channel_type: str, config_enc: str) -> ChannelAdapter:
    """Decrypting and validating a config once per distinct ciphertext, not once per request."""
    return build_adapter(channel_type, crypto.decrypt_json(config_enc))


def webhook_path(account: ChannelAccount, kind: str = "inbound") -> str:
    """The path a provider posts to for this account."""
    base = f"/webhooks/{account.channel_type}/{account.id}"
    return base if kind == "inbound" else f"{base}/{kind}"
