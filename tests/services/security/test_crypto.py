"""The key ring: versioned ciphertexts and hashes, old data readable, unknown keys typed."""

from __future__ import annotations

import pytest

from services.security.crypto import Crypto, DecryptionError, UnknownKeyError
from services.security.keyring import KeyringError

OLD = "an-original-unversioned-secret-of-40-chars"
NEW = "k2:" + "a-brand-new-secret-for-rotation-0123456789"


def test_a_bare_secret_works_exactly_as_before() -> None:
    """Unversioned: no key id on ciphertexts or hashes, so existing rows and hashes match."""
    crypto = Crypto(OLD)
    token = crypto.encrypt("tel:+919876543210")
    assert "$" not in token and token.startswith("gAAAAA")
    assert crypto.decrypt(token) == "tel:+919876543210"
    digest = crypto.lookup_hash("tel:+919876543210")
    assert len(digest) == 64 and crypto.lookup_hashes("tel:+919876543210") == (digest,)
    assert crypto.key_ids == (None,)


def test_after_adding_a_key_new_data_carries_its_id_and_old_data_still_reads() -> None:
    """Put the new key first, keep the old: writes use k2, reads take either."""
    before = Crypto(OLD)
    old_token, old_hash = before.encrypt("ward 12"), before.lookup_hash("tel:+911")
    ring = Crypto(f"{NEW},{OLD}")
    assert ring.key_ids == ("k2", None)
    assert ring.decrypt(old_token) == "ward 12"
    fresh = ring.encrypt("ward 12")
    assert fresh.startswith("k2$") and ring.decrypt(fresh) == "ward 12"
    assert ring.lookup_hash("tel:+911").startswith("k2$")
    assert ring.lookup_hashes("tel:+911") == (ring.lookup_hash("tel:+911"), old_hash)
    assert ring.is_current(fresh) and not ring.is_current(old_token)
    again = ring.reencrypt(old_token)
    assert again.startswith("k2$") and ring.decrypt(again) == "ward 12"
    assert ring.reencrypt(fresh) == fresh


def test_data_under_a_key_the_ring_lacks_is_a_typed_error() -> None:
    """Dropping a key too early, or a foreign key id: UnknownKeyError with the id."""
    token = Crypto(f"{NEW},{OLD}").encrypt("x")
    with pytest.raises(UnknownKeyError) as caught:
        Crypto(OLD).decrypt(token)
    assert (caught.value.key_id, caught.value.code) == ("k2", "unknown_key")
    with pytest.raises(UnknownKeyError) as unversioned:
        Crypto(NEW).decrypt(Crypto(OLD).encrypt("x"))
    assert unversioned.value.key_id is None


def test_a_changed_secret_under_the_same_id_is_a_decryption_error() -> None:
    """Same id, other secret: DecryptionError (the base of UnknownKeyError), never a crash."""
    token = Crypto("k2:" + "x" * 40).encrypt("x")
    with pytest.raises(DecryptionError) as caught:
        Crypto("k2:" + "y" * 40).decrypt(token)
    assert not isinstance(caught.value, UnknownKeyError) and caught.value.code == "undecryptable"
    for garbage in ("k2$not-a-token", "", "k2$"):
        with pytest.raises(DecryptionError):
            Crypto("k2:" + "y" * 40).decrypt(garbage)


def test_purposes_get_separate_keys() -> None:
    """Hashing and signing never reuse the encryption key (HKDF per purpose)."""
    crypto = Crypto(OLD)
    assert crypto.lookup_hash("v") != crypto.sign("v")


@pytest.mark.parametrize(("setting", "code"), [
    (f"{NEW},{NEW}", "duplicate_key_id"),
    (f"{OLD},{OLD}x", "two_unversioned_keys"),
    (f"{NEW},,{OLD}", "empty_key"),
])
def test_a_malformed_ring_is_refused_with_a_code(setting: str, code: str) -> None:
    """A ring that cannot be read is a KeyringError, not a guess."""
    with pytest.raises(KeyringError) as caught:
        Crypto(setting)
    assert caught.value.code == code


def test_from_keys_builds_the_same_ring() -> None:
    """Pairs or the setting string: the same keys."""
    ring = Crypto.from_keys([("k2", NEW.removeprefix("k2:")), (None, OLD)])
    assert ring.decrypt(Crypto(f"{NEW},{OLD}").encrypt("x")) == "x"
    with pytest.raises(KeyringError):
        Crypto.from_keys([])


def test_sealed_json_round_trips_and_is_compact() -> None:
    """Sessions: deflated before encryption, native script kept as UTF-8."""
    crypto = Crypto(f"{NEW},{OLD}")
    value = {"flow": "grievance", "slots": {"description": "पानी नहीं आ रहा " * 10}}
    sealed = crypto.seal_json(value)
    assert sealed.startswith(b"k2$") and crypto.open_json(sealed) == value
    assert len(sealed) < len(str(value).encode())
    with pytest.raises(DecryptionError):
        crypto.open_json(crypto.encrypt_bytes(b"not deflated"))
