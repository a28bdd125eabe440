"""Field encryption (Fernet) and keyed lookup hashes (HMAC-SHA256) under a versioned key ring.

Ciphertexts and hashes made with a versioned key carry its id (`k2$…`); those of the original
unversioned secret carry none, so data written before key ids existed reads as before.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import zlib
from collections.abc import Sequence
from typing import Any

from cryptography.fernet import InvalidToken

from services.security.keyring import (
    Key,
    KeyringError,
    derive,
    key_id_of,
    parse_keyring,
    untagged,
)


class DecryptionError(Exception):
    """Stored ciphertext could not be decrypted with the configured keys."""

    code = "undecryptable"


class UnknownKeyError(DecryptionError):
    """Stored data names a key the ring no longer (or never) had; `key_id` None = unversioned."""

    code = "unknown_key"

    def __init__(self, key_id: str | None) -> None:
        super().__init__(f"no key {key_id or '(unversioned)'} in the key ring")
        self.key_id = key_id


class Crypto:
    """Encrypts personal data at rest and hashes it for equality lookups, with key rotation."""

    def __init__(self, secret: str) -> None:
        self._use(parse_keyring(secret))

    def _use(self, keys: Sequence[Key]) -> None:
        """Adopt a key ring, current first."""
        if not keys:
            raise KeyringError("no_keys")
        if len({key.id for key in keys}) != len(keys):
            raise KeyringError("duplicate_key_id")
        self._keys = tuple(keys)
        self._by_id = {key.id: key for key in self._keys}

    @classmethod
    def from_keys(cls, entries: Sequence[tuple[str | None, str]]) -> Crypto:
        """A ring from (key id, secret) pairs, current first (None: the unversioned secret)."""
        crypto = cls.__new__(cls)
        crypto._use([Key.from_secret(kid, secret) for kid, secret in entries])
        return crypto

    @property
    def current(self) -> Key:
        """The key new data is written with."""
        return self._keys[0]

    @property
    def key_ids(self) -> tuple[str | None, ...]:
        """Every key id in the ring, current first."""
        return tuple(key.id for key in self._keys)

    def _key_for(self, tagged: str) -> Key:
        """The ring's key for a ciphertext or hash; UnknownKeyError when it has none."""
        key_id = key_id_of(tagged)
        key = self._by_id.get(key_id)
        if key is None:
            raise UnknownKeyError(key_id)
        return key

    def is_current(self, tagged: str) -> bool:
        """Whether a ciphertext or hash was made with the current key."""
        return key_id_of(tagged) == self.current.id

    def encrypt(self, value: str) -> str:
        """Ciphertext (URL-safe text, key id first) of a string."""
        return self.current.tag(self.current.fernet.encrypt(value.encode()).decode())

    def decrypt(self, token: str) -> str:
        """Plain text of a stored ciphertext, under whichever ring key made it."""
        return self.decrypt_bytes(token.encode()).decode()

    def reencrypt(self, token: str) -> str:
        """The same plain text under the current key (unchanged if already current)."""
        return token if self.is_current(token) else self.encrypt(self.decrypt(token))

    def encrypt_bytes(self, data: bytes) -> bytes:
        """Ciphertext of raw bytes (sessions), as ASCII bytes with the key id first."""
        return self.current.tag(self.current.fernet.encrypt(data).decode()).encode()

    def decrypt_bytes(self, token: bytes) -> bytes:
        """Raw bytes inside a ciphertext made by `encrypt_bytes` or `encrypt`."""
        try:
            text = token.decode("ascii")
        except UnicodeDecodeError:
            raise DecryptionError("not a ciphertext") from None
        key = self._key_for(text)
        try:
            return key.fernet.decrypt(untagged(text).encode())
        except InvalidToken as exc:
            raise DecryptionError("ciphertext does not match its key") from exc

    def encrypt_json(self, value: dict[str, Any]) -> str:
        """Ciphertext of a JSON object (channel credentials)."""
        return self.encrypt(json.dumps(value, sort_keys=True))

    def decrypt_json(self, token: str) -> dict[str, Any]:
        """The JSON object inside a ciphertext."""
        data: dict[str, Any] = json.loads(self.decrypt(token))
        return data

    def seal_json(self, value: dict[str, Any]) -> bytes:
        """Compact ciphertext of a JSON object: UTF-8, no spaces, deflated, then encrypted."""
        plain = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
        return self.encrypt_bytes(zlib.compress(plain, 9))

    def open_json(self, token: bytes) -> dict[str, Any]:
        """The JSON object inside a `seal_json` ciphertext."""
        try:
            plain = zlib.decompress(self.decrypt_bytes(token))
        except zlib.error as exc:
            raise DecryptionError("sealed data is not deflated JSON") from exc
        data: dict[str, Any] = json.loads(plain)
        return data

    def lookup_hash(self, value: str) -> str:
        """A keyed hash under the current key, for storing a value findable but not readable."""
        return self._hash(self.current, value)

    def lookup_hashes(self, value: str) -> tuple[str, ...]:
        """The value's hash under every ring key, current first: query with `IN` to find rows
        written before a rotation re-hashed them."""
        return tuple(self._hash(key, value) for key in self._keys)

    @staticmethod
    def _hash(key: Key, value: str) -> str:
        """HMAC-SHA256 of a value under one key, marked with its id."""
        return key.tag(hmac.new(key.hash_key, value.encode(), hashlib.sha256).hexdigest())

    def purpose_keys(self, purpose: bytes) -> tuple[bytes, ...]:
        """A key for one purpose (signed media links) derived from every ring key, current
        first: sign with the first, accept any (a link made before a rotation still opens)."""
        return tuple(derive(key.sign_key, purpose) for key in self._keys)

    def sign(self, value: str) -> str:
        """An HMAC over a value under the current key, for tokens the gateway issues itself."""
        return hmac.new(self.current.sign_key, value.encode(), hashlib.sha256).hexdigest()
