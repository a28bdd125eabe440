"""Per-tenant Ed25519 keys (made on first use, private half under the key ring), signing and
verification with nothing but a public key."""

from __future__ import annotations

import base64
import binascii
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from payments.receipts.canonical import SignedFields
from payments.receipts.models import ReceiptKey
from services.security.crypto import Crypto

RAW = serialization.Encoding.Raw


def b64(data: bytes) -> str:
    """base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    """The bytes of base64url text with or without padding; ValueError if it is not."""
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not base64url") from exc


def key_id_for(public_raw: bytes) -> str:
    """A key's id: the first 16 hex digits of SHA-256 of its raw public key."""
    return hashlib.sha256(public_raw).hexdigest()[:16]


def _public_raw(private: Ed25519PrivateKey) -> bytes:
    """The raw 32 bytes of a private key's public half."""
    return private.public_key().public_bytes(RAW, serialization.PublicFormat.Raw)


def new_key(db: Session, crypto: Crypto, tenant_id: str, generation: int) -> ReceiptKey | None:
    """Store a fresh key of this generation; None if another transaction stored it first."""
    private = Ed25519PrivateKey.generate()
    raw = private.private_bytes(RAW, serialization.PrivateFormat.Raw,
                                serialization.NoEncryption())
    public = _public_raw(private)
    row = ReceiptKey(id=key_id_for(public), tenant_id=tenant_id, generation=generation,
                     public_key=b64(public), private_key_enc=crypto.encrypt(b64(raw)))
    try:
        with db.begin_nested():
            db.add(row)
        return row
    except IntegrityError:
        return None


def current_key(db: Session, crypto: Crypto, tenant_id: str) -> ReceiptKey:
    """The tenant's signing key (the highest generation), made on first use; two first uses
    at once store one key (the unique generation makes the second wait, then read it)."""
    query = (select(ReceiptKey).where(ReceiptKey.tenant_id == tenant_id)
             .order_by(ReceiptKey.generation.desc()).limit(1))
    row = db.scalar(query)
    if row is not None:
        return row
    return new_key(db, crypto, tenant_id, 1) or db.scalars(query).one()


def rotate_key(db: Session, crypto: Crypto, tenant_id: str) -> ReceiptKey:
    """A new signing key for the tenant; older keys stay published and still verify."""
    top = db.scalar(select(func.max(ReceiptKey.generation))
                    .where(ReceiptKey.tenant_id == tenant_id)) or 0
    row = new_key(db, crypto, tenant_id, int(top) + 1)
    if row is None:
        raise RuntimeError("concurrent key rotation")
    return row


def sign(crypto: Crypto, key: ReceiptKey, fields: SignedFields) -> str:
    """The signature (base64url) of a receipt's fields under the tenant's private key."""
    private = Ed25519PrivateKey.from_private_bytes(unb64(crypto.decrypt(key.private_key_enc)))
    return b64(private.sign(fields.message()))


def verify(public_key: str, fields: SignedFields, signature: str) -> bool:
    """Whether `signature` is the signature of these fields under this public key (base64url):
    needs nothing private."""
    try:
        public = Ed25519PublicKey.from_public_bytes(unb64(public_key))
        public.verify(unb64(signature), fields.message())
    except (ValueError, InvalidSignature):
        return False
    return True
