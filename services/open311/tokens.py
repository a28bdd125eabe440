"""Open311 tokens: a signed, opaque name of a service request (`GET /tokens/{token}`).

Requests are filed while the client waits, so POST answers the id at once; it also answers a
token for clients that track by token. A token is `<base64url(id)>.<mac>` under the key ring's
current key (bound to this purpose), so it needs no table and cannot be made up.
"""

from __future__ import annotations

import base64
import binascii
import hmac

from services.security.crypto import Crypto

MAC_CHARS = 32
MAX_LENGTH = 120


def _mac(crypto: Crypto, public_id: str) -> str:
    """The token's HMAC."""
    return crypto.sign("open311-token:" + public_id)[:MAC_CHARS]


def issue(crypto: Crypto, public_id: str) -> str:
    """The token of a service request."""
    body = base64.urlsafe_b64encode(public_id.encode()).decode().rstrip("=")
    return f"{body}.{_mac(crypto, public_id)}"


def read(crypto: Crypto, token: str) -> str | None:
    """The service request a token names, None unless this gateway issued it."""
    body, _, mac = token.partition(".")
    if not body or len(token) > MAX_LENGTH:
        return None
    try:
        public_id = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    if not hmac.compare_digest(mac.encode(), _mac(crypto, public_id).encode()):
        return None
    return public_id
