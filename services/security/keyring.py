"""The key ring: versioned secrets parsed from one setting, each split into per-purpose keys.

`NAGARSETU_SECRET_KEY` holds one secret (the original, unversioned form) or a comma-separated
list of `id:secret` entries, the first being the current key; one bare secret may stay in the
list so that data written before keys had ids can still be read. An entry that starts with
`<letters, digits, dashes>:` is always read as versioned.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_ID = re.compile(r"^([A-Za-z0-9-]{1,16}):(.+)$")
"""A versioned entry: an id of letters, digits and dashes (no LIKE wildcards), then the secret."""
SEPARATOR = "$"
"""Between a key id and the ciphertext or hash it made; never part of a Fernet token or hex."""


class KeyringError(ValueError):
    """The secret setting cannot be read as a key ring; `code` says why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def derive(secret: bytes, purpose: bytes) -> bytes:
    """A 32-byte key for one purpose, so no key serves two."""
    kdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"nagarsetu", info=purpose)
    return kdf.derive(secret)


@dataclass(frozen=True)
class Key:
    """One secret's purpose keys; `id` is None for the original unversioned secret."""

    id: str | None
    fernet: Fernet
    hash_key: bytes
    sign_key: bytes

    @classmethod
    def from_secret(cls, key_id: str | None, secret: str) -> Key:
        """Derive the encryption, lookup-hash and signing keys of one secret (HKDF)."""
        raw = secret.encode()
        return cls(key_id, Fernet(base64.urlsafe_b64encode(derive(raw, b"field-encryption"))),
                   derive(raw, b"lookup-hash"), derive(raw, b"signing"))

    def tag(self, value: str) -> str:
        """A ciphertext or hash marked with this key's id (unmarked for the original key)."""
        return value if self.id is None else f"{self.id}{SEPARATOR}{value}"


def parse_keyring(setting: str) -> tuple[Key, ...]:
    """The keys in a secret setting, current first; KeyringError when it is not a key ring."""
    entries = [entry.strip() for entry in setting.split(",")] if "," in setting else [setting]
    keys: list[Key] = []
    seen: set[str | None] = set()
    for entry in entries:
        if not entry:
            raise KeyringError("empty_key")
        match = KEY_ID.match(entry)
        key_id, secret = (match.group(1), match.group(2)) if match else (None, entry)
        if key_id in seen:
            raise KeyringError("duplicate_key_id" if key_id else "two_unversioned_keys")
        seen.add(key_id)
        keys.append(Key.from_secret(key_id, secret))
    return tuple(keys)


def key_id_of(tagged: str) -> str | None:
    """The key id a ciphertext or hash was made with; None for the original key."""
    head, sep, _ = tagged.partition(SEPARATOR)
    return head if sep else None


def untagged(tagged: str) -> str:
    """The ciphertext or hash without its key id."""
    return tagged.partition(SEPARATOR)[2] if SEPARATOR in tagged else tagged
