"""The adapter cache: one adapter per account config, the replaced one closed, all closed."""

from __future__ import annotations

import pytest

from channels.webchat.adapter import Adapter as WebChat
from services.accounts import service
from services.accounts.models import ChannelAccount
from services.accounts.service import AdapterCache
from services.security.crypto import Crypto

CRYPTO = Crypto("adapter-cache-test-secret")


def account(secret: str, account_id: str = "acct1") -> ChannelAccount:
    """A web chat account (not stored) with an encrypted config."""
    return ChannelAccount(id=account_id, tenant_id="pb.amritsar", channel_type="webchat",
                          config_enc=CRYPTO.encrypt_json({"token_secret": secret}))


@pytest.fixture
def closed(monkeypatch: pytest.MonkeyPatch) -> list[WebChat]:
    """The web chat adapters closed during the test, in order."""
    seen: list[WebChat] = []
    monkeypatch.setattr(WebChat, "close", lambda self: seen.append(self))
    return seen


def test_one_adapter_per_config(closed: list[WebChat]) -> None:
    """The same account row gives the same adapter: nothing rebuilt, nothing closed."""
    cache = AdapterCache()
    row = account("s" * 32)
    assert cache.get(CRYPTO, row) is cache.get(CRYPTO, row)
    assert len(cache) == 1 and closed == []


def test_a_changed_config_replaces_and_closes_the_old(closed: list[WebChat]) -> None:
    """New credentials: a new adapter, and the old one's connections are closed."""
    cache = AdapterCache()
    old = cache.get(CRYPTO, account("a" * 32))
    new = cache.get(CRYPTO, account("b" * 32))
    assert new is not old and new.config["token_secret"] == "b" * 32
    assert closed == [old] and len(cache) == 1


def test_the_least_recently_used_is_closed_past_the_size(closed: list[WebChat]) -> None:
    """Past `maxsize` accounts the one unused longest is closed and forgotten."""
    cache = AdapterCache(maxsize=2)
    one, two = account("a" * 32, "one"), account("b" * 32, "two")
    first, second = cache.get(CRYPTO, one), cache.get(CRYPTO, two)
    assert cache.get(CRYPTO, one) is first  # "one" used again: "two" is now the oldest
    cache.get(CRYPTO, account("c" * 32, "three"))
    assert closed == [second] and len(cache) == 2
    assert cache.get(CRYPTO, one) is first


def test_close_adapters_closes_and_forgets_every_one(closed: list[WebChat]) -> None:
    """At shutdown every held adapter is closed; the next lookup builds afresh."""
    rows = [account(ch * 32, f"acct-{ch}") for ch in "xyz"]
    held = [service.adapter_for(CRYPTO, row) for row in rows]
    service.close_adapters()
    assert set(map(id, closed)) >= set(map(id, held)) and len(service.ADAPTERS) == 0
    assert service.adapter_for(CRYPTO, rows[0]) is not held[0]
    service.close_adapters()
