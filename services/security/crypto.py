"""Field encryption (Fernet) and keyed lookup hashes (HMAC-SHA256), both derived from one key."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def _derive(secret: bytes, purpose: bytes) -> bytes:
    """A 32-byte key for one purpose, so no key serves two."""
    kdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"nagarsetu", info=purpose)
    return kdf.derive(secret)


class DecryptionError(Exception):
    """Stored ciphertext could not be decrypted with the configured key."""


class Crypto:
    """Encrypts personal data at rest and hashes it for equality lookups."""

    def __init__(self, secret: str) -> None:
        raw = secret.encode()
        self._fernet = Fernet(base64.urlsafe_b64encode(_derive(raw, b"field-encryption")))
        self._hash_key = _derive(raw, b"lookup-hash")
        self._sign_key = _derive(raw, b"signing")

    def encrypt(self, value: str) -> str:
        """Ciphertext (URL-safe text) of a string."""
        return self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, token: str) -> str:
        """Plain text of a stored ciphertext."""
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise DecryptionError("ciphertext does not match the key") from exc

    def encrypt_json(self, value: dict[str, Any]) -> str:
        """Ciphertext of a JSON object (channel credentials)."""
        return self.encrypt(json.dumps(value, sort_keys=True))

    def decrypt_json(self, token: str) -> dict[str, Any]:
        """The JSON object inside a ciphertext."""
        data: dict[str, Any] = json.loads(self.decrypt(token))
        return data

    def lookup_hash(self, value: str) -> str:
        """A keyed hash for finding rows by a value without storing it in clear."""
        return hmac.new(self._hash_key, value.encode(), hashlib.sha256).hexdigest()

    def sign(self, value: str) -> str:
        """An HMAC over a value, for tokens the gateway issues itself."""
        return hmac.new(self._sign_key, value.encode(), hashlib.sha256).hexdigest()
