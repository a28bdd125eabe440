"""Who may call a biller: its IP allow-list, then its credentials (JWT HS256 or Basic).

JWT as the aggregator signs it: `Authorization: Bearer <header>.<payload>.<signature>`,
`alg` HS256 only (any other, `none` included, is refused), HMAC-SHA256 of the first two parts
under the shared secret, `aud` the scheme id, `iat` no older than two minutes (and not ahead
by more than a small skew). Basic: the configured user and password. Comparisons are
constant-time. The standard library is enough for one algorithm; nothing else is accepted.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import ipaddress
import json
import secrets
import time
from collections.abc import Sequence
from typing import Any

from payments.bbps.errors import BbpsError

MAX_AGE = 120
"""Seconds a token stays fresh (the contract: older requests are stale)."""
SKEW = 30
"""Seconds a token's `iat` may lie ahead of our clock."""


def allowed(address: str | None, networks: Sequence[str]) -> bool:
    """Whether the caller's address is on the allow-list (an empty list allows nobody)."""
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for entry in networks:
        try:
            if ip in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def _unb64(part: str) -> bytes:
    """base64url without padding, strictly."""
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _b64(data: bytes) -> str:
    """base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_jwt(scheme_id: str, secret: str, *, iat: float | None = None, jti: str = "") -> str:
    """A token as the aggregator makes it (for the simulator and tests)."""
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = {"aud": scheme_id, "iat": int(time.time() if iat is None else iat),
              "jti": jti or secrets.token_hex(16)}
    payload = _b64(json.dumps(claims).encode())
    signature = hmac.new(secret.encode(), f"{header}.{payload}".encode(), hashlib.sha256)
    return f"{header}.{payload}.{_b64(signature.digest())}"


def verify_jwt(token: str, scheme_id: str, secret: str, now: float | None = None,
               ) -> dict[str, Any]:
    """The token's claims when genuine and fresh; BbpsError otherwise."""
    parts = token.split(".")
    if len(parts) != 3:
        raise BbpsError("invalid-auth-header")
    try:
        header = json.loads(_unb64(parts[0]))
        claims = json.loads(_unb64(parts[1]))
        signature = _unb64(parts[2])
    except (ValueError, binascii.Error):
        raise BbpsError("jwt-verification-failed") from None
    if not isinstance(header, dict) or header.get("alg") != "HS256":
        raise BbpsError("jwt-verification-failed")
    expected = hmac.new(secret.encode(), f"{parts[0]}.{parts[1]}".encode(),
                        hashlib.sha256).digest()
    if not hmac.compare_digest(expected, signature) or not isinstance(claims, dict):
        raise BbpsError("jwt-verification-failed")
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if not any(isinstance(a, str) and hmac.compare_digest(a, scheme_id) for a in audiences):
        raise BbpsError("jwt-verification-failed")
    iat = claims.get("iat")
    if isinstance(iat, bool) or not isinstance(iat, int | float):
        raise BbpsError("jwt-verification-failed")
    clock = time.time() if now is None else now
    if iat < clock - MAX_AGE:
        raise BbpsError("jwt-token-expired")
    if iat > clock + SKEW:
        raise BbpsError("jwt-verification-failed")
    return claims


def verify_basic(value: str, username: str, password: str) -> None:
    """The Basic credentials, or BbpsError."""
    try:
        user, sep, given = base64.b64decode(value, validate=True).decode().partition(":")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BbpsError("invalid-auth-header") from None
    good_user = hmac.compare_digest(user.encode(), username.encode())
    if not sep or not (hmac.compare_digest(given.encode(), password.encode()) and good_user):
        raise BbpsError("unauthorised")


def check(scheme: str, config: dict[str, Any], authorization: str) -> None:
    """The request's `Authorization` header against the biller's scheme; BbpsError if not."""
    kind, _, value = authorization.strip().partition(" ")
    if scheme == "jwt":
        if kind.lower() != "bearer" or not value:
            raise BbpsError("invalid-auth-header")
        verify_jwt(value.strip(), str(config["scheme_id"]), str(config["secret"]))
    elif scheme == "basic":
        if kind.lower() != "basic" or not value:
            raise BbpsError("invalid-auth-header")
        verify_basic(value.strip(), str(config["username"]), str(config["password"]))
    else:
        raise BbpsError("unauthorised")
